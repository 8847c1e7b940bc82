// The contract of kl_contact for a frontend: its JSON Schemas, an ajv instance that knows all
// of them, validation by document kind with errors a page can log or map to its fields, and
// the actions a view offers with the values each of their fields may take. Types: index.d.ts.
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import schemas from "./schemas/index.js";

// Both are CommonJS modules: Node hands over module.exports, some bundlers its `default`.
const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;

/** Every `$id` is this prefix and the schema's file name: names, never fetched. */
export const SCHEMA_BASE = "https://kl-contact.invalid/schemas/";

/** The documents `validate` knows, by the name of their schema. */
export const DOCUMENT_KINDS = Object.freeze([
  "event", "view", "session", "transition", "effect", "ticket", "receipt", "instructions",
  "request_status", "wire", "workflow", "catalog",
]);

export { schemas };

/** The `$id` of the schema of one kind of document. */
export function schemaId(kind) {
  return `${SCHEMA_BASE}${kind}.schema.json`;
}

/** A strict draft 2020-12 ajv with the formats and every schema of the contract added. */
export function createAjv(options = {}) {
  // allowUnionTypes: a few fields take a string or a number (an issue's path).
  const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, ...options, strict: true });
  addFormats(ajv);
  for (const schema of schemas) ajv.addSchema(schema);
  return ajv;
}

let shared;

/** Checks `document` against the schema of `kind`; on failure, every error found. */
export function validate(kind, document) {
  if (!DOCUMENT_KINDS.includes(kind)) {
    throw new TypeError(`unknown document kind; one of: ${DOCUMENT_KINDS.join(", ")}`);
  }
  shared ??= createAjv();
  const check = shared.getSchema(schemaId(kind));
  if (check(document)) return { valid: true, document, errors: [] };
  return {
    valid: false,
    errors: check.errors.map((error) => ({
      path: error.instancePath,
      keyword: error.keyword,
      message: error.message ?? error.keyword,
      params: error.params,
      schemaPath: error.schemaPath,
    })),
  };
}

// The values a view offers for a field, by the field's source (view.schema.json, actionField).
const ids = (items) => items.map((item) => item.id);
const OFFERED = new Map([
  ["/channels/*/id", (view) => ids((view.channels ?? []).filter((c) => c.choosable !== false))],
  ["/locales/*", (view) => [...view.locales]],
  ["/articles/matches/*/id", (view) => ids(view.articles?.matches ?? [])],
  ["/rating/scores/*", (view) => [...(view.rating?.scores ?? [])]],
  // The keys of the answers object: an info question takes no answer.
  ["/questions", (view) => ids((view.questions ?? []).filter((q) => q.type !== "info"))],
]);

/** The actions `view` offers, each field with the values the view offers for it. */
export function actionsOf(view) {
  return (view.actions ?? []).map((action) => ({
    type: action.type,
    label: action.label ?? null,
    primary: action.primary ?? false,
    stays: action.stays ?? false,
    fields: (action.fields ?? []).map((field) => {
      const offered = field.source === null ? null : OFFERED.get(field.source);
      if (offered === undefined) throw new TypeError("an action field has an unknown source");
      return {
        name: field.name,
        source: field.source,
        required: field.required ?? true,
        values: offered === null ? null : offered(view),
      };
    }),
  }));
}
