// The shipped JSON Schemas, checked by ajv (draft 2020-12, with ajv-formats) the way a
// frontend team would use them, against the shared fixture documents: every document must get
// the verdict recorded beside it, the same verdict the Python side gives
// (tests/test_schemas_fixtures.py). Nothing here is fetched: every $ref resolves to a
// schema loaded from ../../schemas/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaDir = path.join(here, "..", "..", "schemas");
const fixtureDir = path.join(here, "..", "fixtures", "documents");
const BASE = "https://kl-contact.invalid/schemas/";

export function loadSchemas() {
  return readdirSync(schemaDir)
    .filter((name) => name.endsWith(".schema.json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(path.join(schemaDir, name), "utf8")));
}

function buildAjv() {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  for (const schema of loadSchemas()) ajv.addSchema(schema);
  return ajv;
}

const ajv = buildAjv();
const fixtures = readdirSync(fixtureDir)
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => ({ name, ...JSON.parse(readFileSync(path.join(fixtureDir, name), "utf8")) }));

test("every shipped schema compiles in strict mode", () => {
  const schemas = loadSchemas();
  assert.ok(schemas.length >= 12);
  for (const schema of schemas) {
    assert.ok(schema.$id.startsWith(BASE), schema.$id);
    assert.equal(typeof ajv.getSchema(schema.$id), "function", schema.$id);
  }
});

test("the fixture set is large and a third of it invalid", () => {
  assert.ok(fixtures.length >= 60, `only ${fixtures.length} fixtures`);
  const invalid = fixtures.filter((f) => !f.valid).length;
  assert.ok(invalid * 3 >= fixtures.length, `only ${invalid} invalid`);
  for (const schema of ["workflow", "session", "view", "event", "ticket", "receipt", "instructions"]) {
    const verdicts = new Set(fixtures.filter((f) => f.schema === schema).map((f) => f.valid));
    assert.deepEqual([...verdicts].sort(), [false, true], schema);
  }
});

for (const fixture of fixtures) {
  test(`ajv: ${fixture.name} is ${fixture.valid ? "valid" : "invalid"} (${fixture.about})`, () => {
    const validate = ajv.getSchema(`${BASE}${fixture.schema}.schema.json`);
    assert.ok(validate, `no schema ${fixture.schema}`);
    const ok = validate(fixture.document);
    assert.equal(ok, fixture.valid, JSON.stringify(validate.errors?.slice(0, 3)));
  });
}
