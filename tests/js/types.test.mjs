// The TypeScript declarations shipped in schemas/kl_contact.d.ts are current and usable:
// regenerating them from the schemas gives the committed file byte for byte, and tsc accepts
// the example frontend code in typescript/ (and refuses the lines it marks as wrong).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { generateTypes, schemaDir, typesFile } from "./generate-types.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

test("the committed declarations are what the schemas generate", async () => {
  const committed = readFileSync(typesFile, "utf8");
  assert.ok(
    committed === (await generateTypes()),
    "schemas/kl_contact.d.ts is stale: run `make types` and commit the result",
  );
});

test("a schema change makes the committed declarations stale", async () => {
  const copy = mkdtempSync(path.join(tmpdir(), "kl-contact-schemas-"));
  try {
    cpSync(schemaDir, copy, { recursive: true });
    const viewFile = path.join(copy, "view.schema.json");
    const view = JSON.parse(readFileSync(viewFile, "utf8"));
    view.properties.banner = { type: "string" };
    writeFileSync(viewFile, JSON.stringify(view));
    const changed = await generateTypes(copy);
    assert.notEqual(changed, readFileSync(typesFile, "utf8"));
    assert.match(changed, /banner\?: string;/);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test("tsc --noEmit accepts the example frontend", () => {
  const tsc = path.join(here, "node_modules", "typescript", "bin", "tsc");
  const run = spawnSync(process.execPath, [tsc, "--noEmit", "-p", path.join(here, "typescript")], {
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});
