// Declarations of index.js, and every document type of the contract (schemas/kl_contact.d.ts).
import type { Ajv2020, Options as AjvOptions, SchemaObject } from "ajv/dist/2020.js";
import type {
  KlContactDocuments,
  View,
  ViewAction,
  ViewActionField,
} from "./schemas/kl_contact.js";

export * from "./schemas/kl_contact.js";

/** Every `$id` is this prefix and the schema's file name: names, never fetched. */
export declare const SCHEMA_BASE: "https://kl-contact.invalid/schemas/";

/** A document `validate` knows, by the name of its schema. */
export type DocumentKind = keyof KlContactDocuments;

/** The type of a document of one kind. */
export type DocumentOf<K extends DocumentKind> = NonNullable<KlContactDocuments[K]>;

/** Every kind `validate` knows. */
export declare const DOCUMENT_KINDS: readonly DocumentKind[];

/** Every JSON Schema of the contract, as shipped in schemas/ (the `*.schema.json` files). */
export declare const schemas: readonly SchemaObject[];

/** The `$id` of the schema of one kind of document. */
export declare function schemaId<K extends DocumentKind>(
  kind: K,
): `https://kl-contact.invalid/schemas/${K}.schema.json`;

/**
 * A strict draft 2020-12 ajv (with ajv-formats) that has every schema of the contract;
 * `options` go to ajv, except `strict`, which stays on.
 */
export declare function createAjv(options?: AjvOptions): Ajv2020;

/** One way a document breaks its schema. */
export interface ContractError {
  /** A JSON Pointer to the value at fault (`""`: the document itself), e.g. `/actions/0/type`. */
  path: string;
  /** The schema keyword that failed: `required`, `type`, `enum`, `additionalProperties`... */
  keyword: string;
  /** What is wrong, in English, naming schema terms only (never the document's values). */
  message: string;
  /** The keyword's details, e.g. `{ missingProperty: "kind" }` for `required`. */
  params: Record<string, unknown>;
  /** Where in the schema the keyword is, e.g. `#/required`. */
  schemaPath: string;
}

/** What `validate` found: the document, typed, or every error in it. */
export type Validation<K extends DocumentKind> =
  | { valid: true; document: DocumentOf<K>; errors: [] }
  | { valid: false; errors: [ContractError, ...ContractError[]] };

/** Checks `document` against the schema of `kind`; throws a TypeError for an unknown kind. */
export declare function validate<K extends DocumentKind>(kind: K, document: unknown): Validation<K>;

/** One field of the event an action sends, with the values the view offers for it. */
export interface OfferedField {
  /** The event field's name (`channel`, `answers`, `article_id`, `locale`, `reason`). */
  name: string;
  /** Where in the view its value comes from; null: typed freely by the user. */
  source: ViewActionField["source"];
  required: boolean;
  /**
   * The values the view offers: the ids of the channels that can be chosen (for
   * `request_callback`, of the channels that offer a call back), the ids of the offered
   * callback slots, the locales, the ids of the shown article matches, or for `answers` the
   * ids of the questions it is keyed by (an info question takes no answer). Null for a value
   * the user types.
   */
  values: string[] | null;
}

/** An event the user can send from a view, with everything absent in the view defaulted. */
export interface OfferedAction {
  /** The event type the action sends. */
  type: ViewAction["type"];
  label: string | null;
  primary: boolean;
  /** True when the action never leaves the step. */
  stays: boolean;
  fields: OfferedField[];
}

/** The actions `view` offers, in order; throws a TypeError on a field source it does not know. */
export declare function actionsOf(view: View): OfferedAction[];
