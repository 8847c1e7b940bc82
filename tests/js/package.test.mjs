// The npm package in ../../npm/ as a frontend team gets it: `npm pack` (whose prepack lays the
// schemas in), then an install of the tarball into an empty project, then `tsc --strict` on
// TypeScript written against it (the example of docs/frontend.md and a stricter one), whose
// output then runs on the shared fixture documents. The install reaches no network: ajv and
// its dependencies are packed from node_modules/ here and named as local tarballs, and npm
// runs --offline with an empty cache. Nothing is skipped: a missing npm or tsc fails.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import { contractFiles, npmVersion, pythonVersion, sync } from "../../npm/sync.mjs";
import { ROOTS, schemaDir } from "./generate-types.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, "..", "..");
const packageDir = path.join(repo, "npm");
const modules = path.join(here, "node_modules");
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const fixture = (name) => readJson(path.join(here, "..", "fixtures", "documents", name)).document;

// The npm that runs this file when it runs as `npm test`, else the one on PATH. Its children
// get none of the npm_* variables a script inherits, which would point them at this folder.
const npmCli = process.env.npm_execpath;
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")),
);

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: cleanEnv });
  const shown = [command, ...args].join(" ");
  assert.ifError(result.error);
  assert.equal(result.status, 0, `${shown} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function npm(args, cwd) {
  const quiet = ["--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error"];
  return npmCli?.endsWith(".js")
    ? run(process.execPath, [npmCli, ...args, ...quiet], cwd)
    : run("npm", [...args, ...quiet], cwd);
}

/** The folders under node_modules/ of `names` and everything they depend on. */
function dependencyFolders(names) {
  const found = new Map();
  const queue = names.map((name) => [name, modules]);
  while (queue.length > 0) {
    const [name, from] = queue.shift();
    if (found.has(name)) continue;
    const nested = path.join(from, "node_modules", name);
    const folder = existsSync(nested) ? nested : path.join(modules, name);
    const manifest = readJson(path.join(folder, "package.json"));
    found.set(name, folder);
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      queue.push([dependency, folder]);
    }
  }
  return found;
}

// A consumer stricter than most: every strict flag, the libraries' own declarations checked
// too, compiled for Node (nodenext) and checked once more as a bundler resolves imports. Each
// @ts-expect-error line must be refused, or tsc fails.
const CONSUMER = `
import {
  actionsOf, createAjv, DOCUMENT_KINDS, schemaId, validate,
  type ContractError, type DocumentKind, type OfferedAction, type View,
} from "@kl-contact/contract";

export type Outcome =
  | { kind: View["kind"]; actions: OfferedAction[] }
  | { errors: ContractError[] };

export function examineView(document: unknown): Outcome {
  const result = validate("view", document);
  if (!result.valid) return { errors: result.errors };
  const view: View = result.document;
  return { kind: view.kind, actions: actionsOf(view) };
}

export function isEvent(document: unknown): boolean {
  const check = createAjv().getSchema(schemaId("event"));
  return check !== undefined && check(document) === true;
}

export const kinds: readonly DocumentKind[] = DOCUMENT_KINDS;

export function misuses(document: unknown): void {
  // @ts-expect-error: there is no such kind of document
  validate("viewport", document);
  const result = validate("view", document);
  // @ts-expect-error: only a valid result has a document
  void result.document;
  // @ts-expect-error: actionsOf takes a view, not any document
  actionsOf(document);
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022", "DOM"],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    types: [],
    rootDir: "src",
    outDir: "out",
  },
  include: ["src"],
};
const BUNDLER = {
  extends: "./tsconfig.json",
  compilerOptions: { module: "ESNext", moduleResolution: "Bundler", noEmit: true },
};

/** The ```ts block of the section "The npm package" in docs/frontend.md. */
function docsExample() {
  const page = readFileSync(path.join(repo, "docs", "frontend.md"), "utf8");
  const section = page.split(/^## /m).find((part) => part.startsWith("The npm package\n"));
  assert.ok(section, 'docs/frontend.md has no section "The npm package"');
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the section "The npm package" has no ts example');
  return block[1];
}

test("the npm version is the Python package's version in npm's form", () => {
  const { version } = readJson(path.join(packageDir, "package.json"));
  assert.equal(version, npmVersion(pythonVersion()), "set npm/package.json's version");
});

test("Python versions convert to their npm form, and those without one are refused", () => {
  const cases = {
    "0.1.0.dev0": "0.1.0-dev.0",
    "0.1.0": "0.1.0",
    "1.2": "1.2.0",
    "2.0.0a1": "2.0.0-alpha.1",
    "2.0.0b3": "2.0.0-beta.3",
    "2.0.0rc12": "2.0.0-rc.12",
    "10.20.30.dev7": "10.20.30-dev.7",
  };
  for (const [python, expected] of Object.entries(cases)) {
    assert.equal(npmVersion(python), expected);
  }
  for (const python of ["1.0.post1", "1!1.0", "1.0+local", "1.0rc1.dev2", "1.01", "1", "v1.0"]) {
    assert.throws(() => npmVersion(python), /has no npm form/, python);
  }
});

test("packing refuses a version out of step with the Python package", () => {
  const root = mkdtempSync(path.join(tmpdir(), "kl-contact-version-"));
  try {
    mkdirSync(path.join(root, "npm"));
    writeFileSync(path.join(root, "pyproject.toml"), '[project]\nname = "x"\nversion = "0.2.0"\n');
    writeFileSync(path.join(root, "npm", "package.json"), '{"version": "0.1.0"}');
    assert.throws(() => sync(root, path.join(root, "npm")), /set it to 0\.2\.0/);
    assert.ok(!existsSync(path.join(root, "npm", "schemas")), "nothing is laid in");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

let scratch;
let setup;

/** Packs the package, installs it into an empty project and compiles TypeScript against it. */
async function install() {
  scratch = mkdtempSync(path.join(tmpdir(), "kl-contact-npm-"));
  const deps = path.join(scratch, "deps");
  mkdirSync(deps);
  const [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", scratch], packageDir));

  const manifest = readJson(path.join(packageDir, "package.json"));
  const folders = dependencyFolders(Object.keys(manifest.dependencies));
  const packDeps = ["pack", "--json", "--ignore-scripts", "--pack-destination", deps];
  const tarballs = JSON.parse(npm([...packDeps, ...folders.values()], here));
  const project = path.join(scratch, "project");
  mkdirSync(path.join(project, "src"), { recursive: true });
  const dependencies = { [manifest.name]: `file:../${packed.filename}` };
  for (const tarball of tarballs) dependencies[tarball.name] = `file:../deps/${tarball.filename}`;
  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module", dependencies }),
  );
  const cache = path.join(scratch, "cache");
  npm(["install", "--offline", "--ignore-scripts", "--cache", cache], project);
  const folder = path.join(project, "node_modules", ...manifest.name.split("/"));

  writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(TSCONFIG));
  writeFileSync(path.join(project, "tsconfig.bundler.json"), JSON.stringify(BUNDLER));
  writeFileSync(path.join(project, "src", "consumer.ts"), CONSUMER);
  writeFileSync(path.join(project, "src", "example.ts"), docsExample());
  const tsc = path.join(modules, "typescript", "bin", "tsc");
  run(process.execPath, [tsc, "-p", "tsconfig.json"], project);
  run(process.execPath, [tsc, "-p", "tsconfig.bundler.json"], project);

  return {
    packed,
    folder,
    consumer: await import(pathToFileURL(path.join(project, "out", "consumer.js"))),
    example: await import(pathToFileURL(path.join(project, "out", "example.js"))),
    contract: await import(pathToFileURL(path.join(folder, "index.js"))),
  };
}

// Every test below awaits the one install: when it fails, each of them fails with its error.
const installedPackage = () => (setup ??= install());

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test("the tarball holds the helper and every schema byte for byte", async () => {
  const { packed, folder, contract } = await installedPackage();
  assert.equal(packed.version, readJson(path.join(packageDir, "package.json")).version);
  const shipped = contractFiles(schemaDir);
  assert.ok(shipped.length >= 13 && shipped.includes("kl_contact.d.ts"), shipped.join());
  assert.deepEqual(
    packed.files.map((file) => file.path).sort(),
    ["README.md", "index.d.ts", "index.js", "package.json", "schemas/index.js"]
      .concat(shipped.map((name) => `schemas/${name}`))
      .sort(),
  );
  for (const name of shipped) {
    const copy = readFileSync(path.join(folder, "schemas", name));
    assert.ok(copy.equals(readFileSync(path.join(schemaDir, name))), `${name} differs`);
  }
  const parsed = shipped
    .filter((name) => name.endsWith(".json"))
    .map((name) => readJson(path.join(schemaDir, name)));
  assert.deepEqual(contract.schemas, parsed);
  const laid = readdirSync(path.join(folder, "schemas")).sort();
  assert.deepEqual(laid, [...shipped, "index.js"].sort());
});

test("a real view validates and lists its actions with the values it offers", async () => {
  const { consumer, example } = await installedPackage();
  assert.deepEqual(consumer.examineView(fixture("view-channel_choice-email-en.json")), {
    kind: "channel_choice",
    actions: [
      {
        type: "choose_channel",
        label: null,
        primary: true,
        stays: false,
        fields: [
          {
            name: "channel",
            source: "/channels/*/id",
            required: true,
            values: ["email", "chat", "phone"],
          },
        ],
      },
      {
        type: "follow_up",
        label: "I already have a request",
        primary: false,
        stays: false,
        fields: [
          {
            name: "channel",
            source: "/channels/*/id",
            required: false,
            values: ["email", "chat", "phone"],
          },
        ],
      },
      { type: "back", label: "Back", primary: false, stays: false, fields: [] },
      {
        type: "change_locale",
        label: null,
        primary: false,
        stays: true,
        fields: [{ name: "locale", source: "/locales/*", required: true, values: ["ru", "en"] }],
      },
    ],
  });
  assert.deepEqual(example.summarize(fixture("view-channel_choice-email-en.json")), [
    "choose_channel channel=email|chat|phone",
    "follow_up channel=email|chat|phone",
    "back",
    "change_locale locale=ru|en",
  ]);
});

test("the values offered follow the view: choosable channels, matches, questions, scores", async () => {
  const { consumer } = await installedPackage();
  const channels = fixture("view-channel_choice-email-en.json");
  channels.channels[2].choosable = false;
  const articles = fixture("view-articles-email-en.json");
  articles.articles = { ...articles.articles, status: "ready" };
  articles.articles.matches = [
    { id: "kb-1", title: "Activation", url: "https://example.com/1", score: 0.9 },
    { id: "kb-2", title: "Licence", url: "https://example.com/2", score: 0.5 },
  ];
  const questions = fixture("view-questions-email-en.json");
  questions.questions.unshift({ id: "note", type: "info", label: "Read this", required: false });
  const offered = (view, type) => {
    const outcome = consumer.examineView(view);
    assert.ok(outcome.actions, JSON.stringify(outcome.errors));
    return Object.fromEntries(
      outcome.actions.find((a) => a.type === type).fields.map((f) => [f.name, f.values]),
    );
  };
  assert.deepEqual(offered(channels, "choose_channel"), { channel: ["email", "chat"] });
  assert.deepEqual(offered(articles, "article_not_helpful"), {
    article_id: ["kb-1", "kb-2"],
    reason: null,
  });
  const ids = ["product", "platform", "category", "subject", "error_text"];
  assert.deepEqual(offered(questions, "next"), { answers: ids });
  assert.deepEqual(offered(fixture("view-confirmation-email-en.json"), "rate"), {
    score: [1, 2, 3, 4, 5],
    comment: null,
  });
  assert.deepEqual(consumer.examineView(fixture("view-confirmation-rated-email-en.json")).actions, []);
});

test("an invalid view is refused with every error, typed", async () => {
  const { consumer, example } = await installedPackage();
  assert.deepEqual(consumer.examineView(fixture("view-no-kind.json")), {
    errors: [
      {
        path: "",
        keyword: "required",
        message: "must have required property 'kind'",
        params: { missingProperty: "kind" },
        schemaPath: "#/required",
      },
    ],
  });
  const twice = fixture("view-unknown-kind.json");
  twice.actions = [{ type: "jump" }];
  const { errors } = consumer.examineView(twice);
  assert.deepEqual(
    errors.map((error) => [error.path, error.keyword]),
    [["/kind", "enum"], ["/actions/0/type", "enum"]],
  );
  for (const error of errors) assert.doesNotMatch(error.message, /jump|wizard/);
  assert.ok(consumer.examineView(fixture("view-not-an-object.json")).errors.length > 0);
  const summary = example.summarize(fixture("view-no-kind.json"));
  assert.deepEqual(summary, ["/ must have required property 'kind'"]);
});

test("every document kind validates; an unknown kind throws", async () => {
  const { consumer, contract } = await installedPackage();
  assert.deepEqual([...consumer.kinds], ROOTS);
  assert.equal(consumer.isEvent(fixture("event-choose_channel.json")), true);
  assert.equal(consumer.isEvent(fixture("event-choose_channel-no-channel.json")), false);
  assert.equal(contract.validate("session", fixture("session-start-chat-ru.json")).valid, true);
  assert.equal(contract.validate("ticket", fixture("ticket-no-contact.json")).valid, false);
  assert.throws(() => contract.validate("viewport", {}), TypeError);
  assert.throws(() => contract.validate("toString", {}), TypeError);
});

test("createAjv stays strict whatever it is told", async () => {
  const { contract } = await installedPackage();
  const ajv = contract.createAjv({ strict: false, allErrors: false });
  assert.throws(() => ajv.compile({ type: "object", colour: "red" }), /strict mode/);
  assert.equal(typeof ajv.getSchema(contract.schemaId("workflow")), "function");
});
