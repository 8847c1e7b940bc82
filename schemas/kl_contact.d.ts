/* Generated from the JSON Schemas in this folder by json-schema-to-typescript.
 * Do not edit: change the schema, then run `make types` (tests fail while this is stale). */

/**
 * Something that happened to a session, tagged by `type`.
 */
export type Event =
  | ContinueEvent
  | ChooseChannelEvent
  | AnswerEvent
  | NextEvent
  | BackEvent
  | ArticlesFoundEvent
  | ArticlesFailedEvent
  | OpenArticleEvent
  | ArticleHelpedEvent
  | ArticleNotHelpfulEvent
  | EscalateEvent
  | SendEvent
  | TicketAcceptedEvent
  | TicketRejectedEvent
  | ChangeLocaleEvent;
/**
 * An answer: an option id or text, a consent flag, option ids, or attachments.
 */
export type AnswerValue = (string | boolean | string[] | [Attachment, ...Attachment[]]) | undefined;
/**
 * An ISO 8601 date and time with an offset.
 */
export type Datetime = string;
/**
 * Something the host must do, tagged by `type`.
 */
export type Effect = SearchArticlesEffect | SubmitTicketEffect | SendRegistrationEmailEffect;
/**
 * The documents of the JSON entry point (kl_contact.wire).
 */
export type Wire = WireStartEnvelope | WireHandleEnvelope | WireResponse;
export type WireResponse =
  | {
      ok: true;
      transition: Transition;
    }
  | {
      ok: false;
      error: {
        code: string;
        message: string;
      };
      session: {} | null;
    };
/**
 * A stable identifier: lowercase letters, digits, '_' and '-'.
 */
export type WorkflowId = string;
/**
 * A declarative condition: all / any / not, or one comparison on an earlier answer, the channel or the locale.
 */
export type WorkflowCondition =
  | {
      /**
       * @minItems 1
       */
      all: [WorkflowCondition, ...WorkflowCondition[]];
    }
  | {
      /**
       * @minItems 1
       */
      any: [WorkflowCondition, ...WorkflowCondition[]];
    }
  | {
      not: WorkflowCondition;
    }
  | {
      answer: WorkflowId;
      equals: string | boolean;
    }
  | {
      answer: WorkflowId;
      /**
       * @minItems 1
       */
      in: [string, ...string[]];
    }
  | {
      answer: WorkflowId;
      answered: boolean;
    }
  | {
      channel: WorkflowId | [WorkflowId, ...WorkflowId[]];
    }
  | {
      locale: string | [string, ...string[]];
    };
export type Locale = string;

/**
 * Every document kl_contact ships a schema for, by schema name.
 */
export interface KlContactDocuments {
  event?: Event;
  view?: View;
  session?: Session;
  transition?: Transition;
  effect?: Effect;
  ticket?: Ticket;
  receipt?: Receipt;
  instructions?: Instructions;
  wire?: Wire;
  workflow?: Workflow;
  catalog?: Catalog;
}
/**
 * Go on from an information step.
 */
export interface ContinueEvent {
  type: "continue";
}
/**
 * Choose e-mail, chat or phone.
 */
export interface ChooseChannelEvent {
  type: "choose_channel";
  channel: string;
}
/**
 * Record answers without leaving the step.
 */
export interface AnswerEvent {
  type: "answer";
  answers?: Answers;
}
export interface Answers {
  [k: string]: AnswerValue | undefined;
}
/**
 * Metadata of one attached file; the host keeps the bytes.
 */
export interface Attachment {
  name: string;
  media_type: string;
  size: number;
  digest?: string | null;
}
/**
 * Record answers and go on if the step is complete.
 */
export interface NextEvent {
  type: "next";
  answers?: Answers;
}
/**
 * Go back one step.
 */
export interface BackEvent {
  type: "back";
}
/**
 * Host: search results.
 */
export interface ArticlesFoundEvent {
  type: "articles_found";
  search_id: string;
  matches?: ArticleMatch[];
}
/**
 * One suggested article.
 */
export interface ArticleMatch {
  id: string;
  title: string;
  url: string;
  score: number;
  summary?: string;
  reasons?: string[];
}
/**
 * Host: the search failed.
 */
export interface ArticlesFailedEvent {
  type: "articles_failed";
  search_id: string;
  reason?: string;
}
/**
 * The user opened an article.
 */
export interface OpenArticleEvent {
  type: "open_article";
  article_id: string;
}
/**
 * The article helped: the contact ends resolved.
 */
export interface ArticleHelpedEvent {
  type: "article_helped";
  article_id: string;
}
/**
 * The article did not help.
 */
export interface ArticleNotHelpfulEvent {
  type: "article_not_helpful";
  article_id: string;
  reason?: string | null;
}
/**
 * No article helped: contact support.
 */
export interface EscalateEvent {
  type: "escalate";
}
/**
 * Record the request's answers and send it.
 */
export interface SendEvent {
  type: "send";
  answers?: Answers;
}
/**
 * Host: the backend registered the ticket.
 */
export interface TicketAcceptedEvent {
  type: "ticket_accepted";
  submission_id: string;
  receipt: Receipt;
}
/**
 * The support backend's answer to a submitted ticket.
 */
export interface Receipt {
  request_number: string;
  channel: string;
  contact?: ReceiptContact;
  reply_within_hours?: number | null;
}
/**
 * How the engineers can be reached for this request.
 */
export interface ReceiptContact {
  email?: string | null;
  chat_url?: string | null;
  phone?: string | null;
  phone_display?: string | null;
}
/**
 * Host: the backend refused the ticket.
 */
export interface TicketRejectedEvent {
  type: "ticket_rejected";
  submission_id: string;
  code?: string;
}
/**
 * Switch to another declared locale.
 */
export interface ChangeLocaleEvent {
  type: "change_locale";
  locale: string;
}
/**
 * Everything a frontend needs to render the current step.
 */
export interface View {
  session_id: string;
  workflow: string;
  step: string;
  kind:
    | "self_service"
    | "channel_choice"
    | "questions"
    | "articles"
    | "request"
    | "confirmation"
    | "resolved";
  status: "active" | "submitting" | "submitted" | "resolved";
  locale: string;
  locales: string[];
  title: string;
  progress: ViewProgress;
  text?: string | null;
  channel?: string | null;
  actions?: ViewAction[];
  issues?: Issue[];
  questions?: ViewQuestion[];
  resources?: ViewResource[];
  contacts_page?: ViewLink | null;
  channels?: ViewChannel[];
  articles?: ViewArticles | null;
  confirmation?: ViewConfirmation | null;
}
export interface ViewProgress {
  index: number;
  total: number;
}
/**
 * An event type the user can send now.
 */
export interface ViewAction {
  type: string;
  label?: string | null;
  primary?: boolean;
}
/**
 * One problem with what the user entered, localised.
 */
export interface Issue {
  code: string;
  path: (string | number)[];
  message: string;
  severity?: "error" | "warning";
  params?: {
    [k: string]: (string | number) | undefined;
  };
}
export interface ViewQuestion {
  id: string;
  type:
    | "single_choice"
    | "multiple_choice"
    | "text"
    | "long_text"
    | "email"
    | "phone"
    | "attachments"
    | "consent"
    | "info";
  label: string;
  required: boolean;
  help?: string | null;
  placeholder?: string | null;
  role?: string | null;
  options?: ViewOption[];
  value?: AnswerValue | undefined | null;
  issues?: Issue[];
  min_length?: number | null;
  max_length?: number | null;
  min_selected?: number | null;
  max_selected?: number | null;
  attachments?: ViewAttachmentRules | null;
}
export interface ViewOption {
  id: string;
  label: string;
}
export interface ViewAttachmentRules {
  media_types: string[];
  extensions: string[];
  max_size: number;
  max_count: number;
  max_total_size: number;
}
export interface ViewResource {
  id: string;
  kind: string;
  title: string;
  description: string;
  url: string;
}
export interface ViewLink {
  title: string;
  url: string;
}
export interface ViewChannel {
  id: string;
  title: string;
  description: string;
  button: string;
}
export interface ViewArticles {
  status: "idle" | "loading" | "ready" | "failed";
  matches?: ArticleMatch[];
  opened?: string[];
  not_helpful?: string[];
}
export interface ViewConfirmation {
  request_number: string;
  channel: string;
  instructions: Instructions;
}
/**
 * The confirmation's next steps for the chosen channel.
 */
export interface Instructions {
  channel: string;
  locale: string;
  request_number: string;
  steps: InstructionsStep[];
  registration_note: string;
}
export interface InstructionsStep {
  text: string;
  action?: InstructionsAction | null;
}
export interface InstructionsAction {
  kind: "wait_email" | "open_chat" | "call";
  label?: string | null;
  url?: string | null;
  phone?: string | null;
  phone_display?: string | null;
  email?: string | null;
  request_number?: string | null;
}
/**
 * One user's contact in progress; store it anywhere and resume it anywhere.
 */
export interface Session {
  id: string;
  workflow: WorkflowRef;
  locale: string;
  step: string;
  created_at: Datetime;
  updated_at: Datetime;
  status?: "active" | "submitting" | "submitted" | "resolved";
  trail?: string[];
  channel?: string | null;
  answers?: Answers;
  issues?: Issue[];
  articles?: SessionArticles;
  submission?: SessionSubmission | null;
  sequence?: number;
  history?: SessionHistory[];
}
/**
 * The definition a session or ticket belongs to.
 */
export interface WorkflowRef {
  id: string;
  version: number;
  digest: string;
}
export interface SessionArticles {
  status?: "idle" | "loading" | "ready" | "failed";
  search_id?: string | null;
  matches?: ArticleMatch[];
  shown?: string[];
  opened?: string[];
  feedback?: SessionFeedback[];
  helped?: string | null;
  escalated?: boolean;
}
export interface SessionFeedback {
  article_id: string;
  helpful: boolean;
  reason?: string | null;
}
export interface SessionSubmission {
  id: string;
  ticket: Ticket;
  status?: "pending" | "accepted" | "rejected";
  receipt?: Receipt | null;
  rejection?: string | null;
}
/**
 * The request as the engineers receive it.
 */
export interface Ticket {
  id: string;
  session_id: string;
  workflow: WorkflowRef;
  channel: string;
  locale: string;
  created_at: Datetime;
  subject: string;
  description: string;
  contact: TicketContact;
  product?: string | null;
  category?: string | null;
  platform?: string | null;
  answers?: TicketAnswer[];
  attachments?: Attachment[];
  articles?: TicketArticles;
}
/**
 * How the engineers reach the user (personal data).
 */
export interface TicketContact {
  email: string;
  name?: string | null;
  phone?: string | null;
  language?: string | null;
}
/**
 * One visible answer with its labels.
 */
export interface TicketAnswer {
  question: string;
  label: string;
  type: string;
  value: AnswerValue | undefined;
  display: string;
}
/**
 * What the user saw of the suggested articles.
 */
export interface TicketArticles {
  shown?: string[];
  opened?: string[];
  not_helpful?: string[];
  escalated?: boolean;
}
export interface SessionHistory {
  at: Datetime;
  event: string;
  step: string;
}
/**
 * The result of one engine step: new session, view, effects.
 */
export interface Transition {
  session: Session;
  view: View;
  effects?: Effect[];
}
/**
 * Find articles; answer with articles_found.
 */
export interface SearchArticlesEffect {
  type: "search_articles";
  search_id: string;
  query: ArticleQuery;
  limit: number;
}
/**
 * What to search articles for.
 */
export interface ArticleQuery {
  locale: string;
  text?: string;
  product?: string | null;
  category?: string | null;
  platform?: string | null;
  channel?: string | null;
}
/**
 * Register the ticket; answer with ticket_accepted or ticket_rejected.
 */
export interface SubmitTicketEffect {
  type: "submit_ticket";
  submission_id: string;
  ticket: Ticket;
}
/**
 * Send the registration e-mail.
 */
export interface SendRegistrationEmailEffect {
  type: "send_registration_email";
  submission_id: string;
  locale: string;
  ticket: Ticket;
  receipt: Receipt;
}
export interface WireStartEnvelope {
  start: WireStart;
}
/**
 * Start a session.
 */
export interface WireStart {
  session_id: string;
  now: Datetime;
  locale?: string | null;
}
export interface WireHandleEnvelope {
  handle: WireHandle;
}
/**
 * Apply an event to a session (both checked against their own schemas).
 */
export interface WireHandle {
  session: {};
  event: {};
  now: Datetime;
}
/**
 * The declarative contact workflow: self-service, channel choice, questions, articles, the request and the confirmation.
 */
export interface Workflow {
  /**
   * The definition format version.
   */
  format: 1;
  id: WorkflowId;
  /**
   * The definition's own version; sessions record it.
   */
  version: number;
  /**
   * @minItems 1
   */
  locales: [string, ...string[]];
  default_locale: string;
  title: WorkflowText;
  self_service: WorkflowResource[];
  contacts_page: {
    title: WorkflowText;
    url: WorkflowText;
  };
  /**
   * @minItems 1
   */
  channels: [WorkflowChannel, ...WorkflowChannel[]];
  /**
   * @minItems 1
   */
  steps: [WorkflowStep, ...WorkflowStep[]];
  registration_note: WorkflowText;
  articles?: {
    limit?: number;
    min_score?: number;
  };
  /**
   * Overrides of the built-in validation messages, by issue code.
   */
  messages?: {
    [k: string]: WorkflowText;
  };
}
/**
 * A user-visible text: a map of locale code to string. Every declared locale must be present.
 */
export interface WorkflowText {
  [k: string]: string | undefined;
}
export interface WorkflowResource {
  id: WorkflowId;
  kind: "help" | "knowledge_base" | "faq" | "forum" | "utilities" | "downloads" | "other";
  title: WorkflowText;
  description: WorkflowText;
  url: WorkflowText;
}
export interface WorkflowChannel {
  id: WorkflowId;
  title: WorkflowText;
  description: WorkflowText;
  button: WorkflowText;
  /**
   * @minItems 1
   */
  instructions: [WorkflowInstruction, ...WorkflowInstruction[]];
}
export interface WorkflowInstruction {
  text: WorkflowText;
  action?: "wait_email" | "open_chat" | "call";
  label?: WorkflowText;
}
export interface WorkflowStep {
  id: WorkflowId;
  /**
   * What the step does.
   */
  kind:
    | "self_service"
    | "channel_choice"
    | "questions"
    | "articles"
    | "request"
    | "confirmation"
    | "resolved";
  title: WorkflowText;
  text?: WorkflowText;
  button?: WorkflowText;
  questions?: WorkflowQuestion[];
  next?: WorkflowId;
  /**
   * Conditional next steps, tried in order before `next`.
   */
  routes?: WorkflowRoute[];
  on_helped?: WorkflowId;
}
export interface WorkflowQuestion {
  id: WorkflowId;
  /**
   * The field type; it decides the answer's shape and its checks.
   */
  type:
    | "single_choice"
    | "multiple_choice"
    | "text"
    | "long_text"
    | "email"
    | "phone"
    | "attachments"
    | "consent"
    | "info";
  label: WorkflowText;
  help?: WorkflowText;
  placeholder?: WorkflowText;
  /**
   * Choices of a single or multiple choice question.
   */
  options?: WorkflowOption[];
  required?: boolean;
  required_when?: WorkflowCondition;
  when?: WorkflowCondition;
  /**
   * What the answer means to the ticket and to article search.
   */
  role?:
    | "product"
    | "category"
    | "platform"
    | "subject"
    | "description"
    | "attachments"
    | "contact_name"
    | "contact_email"
    | "contact_phone"
    | "contact_language"
    | "consent";
  min_length?: number;
  max_length?: number;
  /**
   * A regular expression the whole answer must match.
   */
  pattern?: string;
  pattern_message?: WorkflowText;
  min_selected?: number;
  max_selected?: number;
  attachments?: WorkflowAttachments;
}
export interface WorkflowOption {
  id: WorkflowId;
  label: WorkflowText;
  when?: WorkflowCondition;
}
/**
 * Which files may be attached (metadata only).
 */
export interface WorkflowAttachments {
  media_types?: string[];
  extensions?: string[];
  max_size?: number;
  max_count?: number;
  max_total_size?: number;
}
export interface WorkflowRoute {
  when: WorkflowCondition;
  to: WorkflowId;
}
/**
 * Knowledge-base articles the built-in matcher searches.
 */
export interface Catalog {
  format: 1;
  articles: CatalogArticle[];
}
/**
 * One knowledge-base article.
 */
export interface CatalogArticle {
  id: string;
  topic?: string;
  locale: Locale;
  title: string;
  summary?: string;
  body?: string;
  keywords?: string[];
  url: string;
  products?: string[];
  categories?: string[];
  platforms?: string[];
  updated?: string;
}
