// Generates TypeScript declarations for every shipped schema with json-schema-to-typescript
// and writes them to ../../schemas/kl_contact.d.ts (`npm run types`, or `make types`).
// `generateTypes()` is also what types.test.mjs compares the committed file against, so a
// schema change without regenerated types fails the tests.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { compile } from "json-schema-to-typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
export const schemaDir = path.join(here, "..", "..", "schemas");
export const typesFile = path.join(schemaDir, "kl_contact.d.ts");

// The documents a frontend sends or receives, in the order they are declared.
export const ROOTS = [
  "event", "view", "session", "transition", "effect", "ticket", "receipt", "instructions",
  "request_status", "wire", "workflow", "catalog",
];

const BANNER = `/* Generated from the JSON Schemas in this folder by json-schema-to-typescript.
 * Do not edit: change the schema, then run \`make types\` (tests fail while this is stale). */`;

const pascal = (text) => text.replace(/(^|[_-])([a-z])/g, (_, __, c) => c.toUpperCase());

// Types are named after titles. The schemas title their documents for people; here each
// document is named after its file (`view` -> `View`) and each definition after both
// (`view#/$defs/question` -> `ViewQuestion`, `event#/$defs/next` -> `NextEvent`,
// `common#/$defs/issue` -> `Issue`), so names never collide.
function typeName(file, key) {
  if (key === undefined) return pascal(file);
  if (file === "common") return pascal(key);
  if (file === "event" || file === "effect") return pascal(key) + pascal(file);
  return pascal(file) + pascal(key);
}

// The schemas are bundled into one document before compiling: each file becomes
// `$defs[FILE]` and each of its definitions `$defs["FILE.KEY"]`, with every $ref rewritten to
// point inside the bundle, so nothing is looked up outside it (the schemas' ids are names,
// never fetched) and each definition is declared once.
function target(file, ref) {
  const match = /^(?:([a-z_]+)\.schema\.json)?(?:#(?:\/\$defs\/([A-Za-z0-9_]+))?)?$/.exec(ref);
  if (!match) throw new Error(`${file}.schema.json: cannot bundle $ref ${ref}`);
  const [, other = file, key] = match;
  return `#/$defs/${key === undefined ? other : `${other}.${key}`}`;
}

// A $ref beside nothing but notes for people (a description, say) would be declared as a new
// type of its own, once per use: such a reference keeps only its $ref.
const NOTES = new Set(["description", "title", "$comment", "examples"]);

function rewrite(file, node) {
  if (Array.isArray(node)) return node.map((item) => rewrite(file, item));
  if (node === null || typeof node !== "object") return node;
  if ("$ref" in node && Object.keys(node).every((key) => key === "$ref" || NOTES.has(key))) {
    return { $ref: target(file, node.$ref) };
  }
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === "$ref" ? target(file, value) : rewrite(file, value),
    ]),
  );
}

function bundle(dir) {
  const defs = {};
  for (const base of readdirSync(dir).filter((n) => n.endsWith(".schema.json")).sort()) {
    const file = base.replace(".schema.json", "");
    const schema = JSON.parse(readFileSync(path.join(dir, base), "utf8"));
    const { $defs = {}, $id, $schema, ...body } = schema;
    defs[file] = { ...rewrite(file, body), title: typeName(file) };
    for (const [key, def] of Object.entries($defs)) {
      defs[`${file}.${key}`] = { ...rewrite(file, def), title: typeName(file, key) };
    }
  }
  return {
    title: "KlContactDocuments",
    description: "Every document kl_contact ships a schema for, by schema name.",
    type: "object",
    additionalProperties: false,
    properties: Object.fromEntries(ROOTS.map((name) => [name, { $ref: `#/$defs/${name}` }])),
    $defs: defs,
  };
}

/** The declarations for the schemas in `dir` (the shipped ones unless told otherwise). */
export async function generateTypes(dir = schemaDir) {
  return compile(bundle(dir), "KlContactDocuments", {
    bannerComment: BANNER,
    additionalProperties: false,
    strictIndexSignatures: true,
    unreachableDefinitions: false,
    $refOptions: { resolve: { file: false, http: false } },
    style: { printWidth: 100 },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(typesFile, await generateTypes());
  console.log(`wrote ${path.relative(process.cwd(), typesFile)}`);
}
