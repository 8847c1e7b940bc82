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
  | ChangeLocaleEvent
  | RateEvent
  | SkipRatingEvent
  | FollowUpEvent
  | FindRequestEvent
  | AddInformationEvent
  | ReopenEvent
  | RequestFoundEvent
  | RequestNotFoundEvent;
/**
 * An answer: an option id or text, a consent flag, option ids, or attachments.
 */
export type AnswerValue = (string | boolean | string[] | [Attachment, ...Attachment[]]) | undefined;
/**
 * An ISO 8601 date and time with an offset.
 */
export type Datetime = string;
/**
 * One visible answer with its labels; the value has the shape of its question type.
 */
export type TicketAnswer =
  | {
      type?: "single_choice";
      value?: SingleChoiceAnswer;
    }
  | {
      type?: "multiple_choice";
      value?: MultipleChoiceAnswer;
    }
  | {
      type?: "text";
      value?: TextAnswer;
    }
  | {
      type?: "long_text";
      value?: TextAnswer;
    }
  | {
      type?: "email";
      value?: EmailAnswer;
    }
  | {
      type?: "phone";
      value?: PhoneAnswer;
    }
  | {
      type?: "attachments";
      value?: AttachmentsAnswer;
    }
  | {
      type?: "consent";
      value?: ConsentAnswer;
    };
/**
 * A valid single-choice answer: the id of one option.
 */
export type SingleChoiceAnswer = string;
/**
 * A valid multiple-choice answer: distinct option ids.
 *
 * @minItems 1
 * @maxItems 1000
 */
export type MultipleChoiceAnswer = [SingleChoiceAnswer, ...SingleChoiceAnswer[]];
/**
 * A valid short or long text answer: not blank.
 */
export type TextAnswer = string;
/**
 * A valid e-mail answer, normalised: the domain in lower case, no surrounding blanks.
 */
export type EmailAnswer = string;
/**
 * A valid phone answer in E.164 form: '+', the country code and the number.
 */
export type PhoneAnswer = string;
/**
 * A valid attachments answer: the metadata of one or more files.
 *
 * @minItems 1
 * @maxItems 1000
 */
export type AttachmentsAnswer = [Attachment, ...Attachment[]];
/**
 * A valid consent answer: given.
 */
export type ConsentAnswer = true;
/**
 * Something the host must do, tagged by `type`.
 */
export type Effect =
  | SearchArticlesEffect
  | SubmitTicketEffect
  | SendRegistrationEmailEffect
  | RecordFeedbackEffect
  | LookUpRequestEffect
  | AddToRequestEffect
  | ReopenRequestEffect;
/**
 * The documents of the JSON entry point (kl_contact.wire).
 */
export type Wire =
  WireStartEnvelope | WireHandleEnvelope | WireResumeEnvelope | WireEraseEnvelope | WireResponse;
export type WireResponse =
  | {
      ok: true;
      transition: Transition;
      migration?: WireMigration;
    }
  | {
      ok: false;
      error: {
        /**
         * The closed catalogue of error codes (docs: Error codes).
         */
        code:
          | "wire.invalid"
          | "session.invalid"
          | "event.invalid"
          | "document.invalid"
          | "time.invalid"
          | "time.naive"
          | "time.before_last_event"
          | "time_zone.unknown"
          | "locale.unknown"
          | "session.no_id"
          | "session.misfit"
          | "session.foreign"
          | "session.version_mismatch"
          | "event.not_allowed"
          | "channel.unknown"
          | "follow_up.none"
          | "session.not_active"
          | "session.not_finished"
          | "session.conflict"
          | "limit.answers"
          | "limit.answer_items"
          | "limit.event_values"
          | "limit.event_text";
        message: string;
      };
      /**
       * The session sent, unchanged, when it was a valid session; null otherwise.
       */
      session: Session | null;
    }
  | {
      ok: true;
      session: Session;
    };
/**
 * The definition format version: always 1.
 */
export type Format = 1;
/**
 * A stable identifier: lowercase letters, digits, '_' and '-'.
 */
export type WorkflowId = string;
/**
 * The definition's own version, an integer that grows with each published change; sessions record it with a digest of the document.
 */
export type Version = number;
/**
 * Every user-visible text must exist in each of these locales, and in no other.
 *
 * @minItems 1
 */
export type Locales = [string, ...string[]];
/**
 * One of locales: sessions start in it unless the host names another, and texts fall back to it.
 */
export type DefaultLocale = string;
/**
 * What sort of resource it is.
 */
export type Kind =
  "help" | "knowledge_base" | "faq" | "forum" | "utilities" | "downloads" | "other";
/**
 * Help, knowledge base, FAQ, forum, utilities and downloads shown before the user contacts support.
 */
export type SelfServiceResources = WorkflowResource[];
/**
 * The ways to reach the engineers (e-mail, chat, phone), each with its confirmation instructions.
 *
 * @minItems 1
 */
export type Channels = [WorkflowChannel, ...WorkflowChannel[]];
/**
 * The next steps shown on the confirmation for this channel.
 *
 * @minItems 1
 */
export type Instructions1 = [WorkflowInstruction, ...WorkflowInstruction[]];
/**
 * The button the step offers: wait for the e-mail, open the chat, or call.
 */
export type Action = "wait_email" | "open_chat" | "call";
/**
 * An IANA time zone name, such as Europe/Moscow.
 */
export type WorkflowTimeZone = string;
/**
 * The channel never closes (hours are ignored).
 */
export type AlwaysOpen = boolean;
/**
 * The weekdays this period applies to.
 *
 * @minItems 1
 */
export type Days = [
  "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun",
  ...("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[]
];
/**
 * A local wall time HH:MM; 24:00 is the end of the day.
 */
export type WorkflowClock = string;
export type WorkflowWeekly = {
  days: Days;
  opens: WorkflowClock;
  closes: WorkflowClock;
}[];
/**
 * The calendar date, YYYY-MM-DD.
 */
export type Date = string;
/**
 * The opening periods on that date; an empty list means closed all day.
 */
export type Periods = WorkflowPeriod[];
/**
 * Dated hours replacing the weekly ones; no periods means closed that day.
 */
export type WorkflowExceptions = {
  date: Date;
  periods?: Periods;
}[];
/**
 * The channel never closes in this region.
 */
export type AlwaysOpen1 = boolean;
/**
 * Whether the channel may still be chosen while closed.
 */
export type ChoosableWhileClosed = boolean;
/**
 * Channel ids to offer instead while this one is closed.
 */
export type SuggestedInstead = WorkflowId[];
/**
 * The screens of the flow, in order; the first is the start. Without next or routes, a step is followed by the next one in the list that is not a resolved step.
 *
 * @minItems 1
 */
export type Steps = [WorkflowStep, ...WorkflowStep[]];
/**
 * What the step does.
 */
export type Kind1 =
  | "self_service"
  | "channel_choice"
  | "questions"
  | "articles"
  | "request"
  | "confirmation"
  | "resolved"
  | "follow_up";
/**
 * The field type; it decides the answer's shape and its checks.
 */
export type Type =
  | "single_choice"
  | "multiple_choice"
  | "text"
  | "long_text"
  | "email"
  | "phone"
  | "attachments"
  | "consent"
  | "info";
/**
 * A declarative condition: all / any / not, or one comparison on an earlier answer, the channel or the locale.
 */
export type WorkflowCondition =
  | {
      all: AllOf;
    }
  | {
      any: AnyOf;
    }
  | {
      not: WorkflowCondition;
    }
  | {
      answer: WorkflowId;
      equals: Equals;
    }
  | {
      answer: WorkflowId;
      in: In;
    }
  | {
      answer: WorkflowId;
      answered: Answered;
    }
  | {
      channel: Channel;
    }
  | {
      locale: Locale;
    };
/**
 * Holds when every inner condition holds.
 *
 * @minItems 1
 */
export type AllOf = [WorkflowCondition, ...WorkflowCondition[]];
/**
 * Holds when at least one inner condition holds.
 *
 * @minItems 1
 */
export type AnyOf = [WorkflowCondition, ...WorkflowCondition[]];
/**
 * The answer is this option id (a multiple choice: includes it), text or boolean.
 */
export type Equals = string | boolean;
/**
 * The answer is one of these option ids (a multiple choice: shares one).
 *
 * @minItems 1
 */
export type In = [string, ...string[]];
/**
 * true: the question has a non-empty answer; false: it has none.
 */
export type Answered = boolean;
/**
 * The chosen channel is this one, or one of these.
 */
export type Channel = WorkflowId | [WorkflowId, ...WorkflowId[]];
/**
 * The session's locale is this one, or one of these.
 */
export type Locale = string | [string, ...string[]];
/**
 * Choices of a single or multiple choice question.
 */
export type Options = WorkflowOption[];
/**
 * The question must be answered to go on.
 */
export type Required = boolean;
/**
 * What the answer means to the ticket and to article search.
 */
export type Role =
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
  | "consent"
  | "licence_key"
  | "request_number";
/**
 * The fewest characters a text answer may have (after trimming).
 */
export type ShortestAnswer = number;
/**
 * The most characters a text answer may have (after trimming).
 */
export type LongestAnswer = number;
/**
 * A regular expression the whole answer must match.
 */
export type Pattern = string;
/**
 * The fewest options a multiple choice answer may have.
 */
export type FewestChoices = number;
/**
 * The most options a multiple choice answer may have.
 */
export type MostChoices = number;
/**
 * The media types a file may have.
 */
export type MediaTypes = string[];
/**
 * The file name endings allowed, with the dot.
 */
export type Extensions = string[];
/**
 * The largest size of one file, in bytes.
 */
export type LargestFile = number;
/**
 * How many files may be attached.
 */
export type MostFiles = number;
/**
 * The largest size of all files together, in bytes.
 */
export type LargestTotal = number;
/**
 * keep: the answer stays in the session (a hidden answer never reaches the ticket) and shows again when the question returns; clear: the answer is dropped as soon as its question, or the option chosen, is hidden.
 */
export type WorkflowAnswerPolicy = "keep" | "clear";
/**
 * The answer is personal data (free text that may name the user): it is erased with the contact details when a finished contact's personal data is erased. Contact and licence-key roles and attachments' names are personal whatever this says.
 */
export type Personal = boolean;
/**
 * The version of a consent question's text: the ticket records it with the consent given, the SHA-256 of the text shown and the time.
 */
export type ConsentVersion = string;
/**
 * The fields of a questions, request or follow_up step (a follow_up step: the request number and e-mail it looks up, then what the user may add).
 */
export type Questions = WorkflowQuestion[];
/**
 * Conditional next steps, tried in order before `next`.
 */
export type Routes = WorkflowRoute[];
/**
 * A follow_up step: how many lookups of a request one session may make (default 5); one more is refused with the issue follow_up.attempts.
 */
export type LookupsAllowed = number;
/**
 * The support mailbox: the Reply-To of the registration e-mail.
 */
export type SupportMailbox = string;
/**
 * How many articles to ask the search for (1 to 50, default 5).
 */
export type Limit = number;
/**
 * Matches scoring below this are not shown (default 0).
 */
export type LowestScore = number;
/**
 * The ISO 3166-1 region where a phone number without a country code is read; by default the locale's region.
 */
export type PhoneRegion = string;
/**
 * The request number made of the backend's ticket id; must contain {id} once (default "{id}").
 */
export type RequestNumber = string;
/**
 * The token in the registration e-mail's subject; contains {request_number} or {id} once (default "[Request #{request_number}]"). Request Tracker threads replies by "[rtname #{id}]".
 */
export type SubjectTag = string;
/**
 * Every queue a rule or the default may name.
 *
 * @minItems 1
 */
export type Queues = [WorkflowId, ...WorkflowId[]];
/**
 * The priority of a request no rule matches (default normal).
 */
export type Priority = "low" | "normal" | "high" | "urgent";
/**
 * How soon the engineers should take the request.
 */
export type Priority1 = "low" | "normal" | "high" | "urgent";
/**
 * Tried in order; the first that holds chooses.
 */
export type Rules = Rule[];
/**
 * How the prefilled answer shows.
 */
export type PrefillMode = ("editable" | "read_only") | undefined;
export type Locale1 = string;

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
  request_status?: RequestStatus;
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
 * The support backend's answer to a submitted ticket. Which contact fields are required depends on the channel's next steps: the submit_ticket effect lists them in receipt_fields (a chat whose steps link to it needs contact.chat_url, a phone channel contact.phone, a text with {reply_within} reply_within_hours); a receipt without one is refused with an issue naming the field.
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
 * Rate the help on an end step that asks for it.
 */
export interface RateEvent {
  type: "rate";
  /**
   * 1 (not helped at all) to 5 (fully helped); any other integer gives the issue rating.out_of_range.
   */
  score: number;
  /**
   * Optional free text; longer than Limits.comment_length (2000 by default) gives the issue rating.comment_too_long.
   */
  comment?: string | null;
}
/**
 * Decline the end step's rating question.
 */
export interface SkipRatingEvent {
  type: "skip_rating";
}
/**
 * On the channel choice: I already have a request.
 */
export interface FollowUpEvent {
  type: "follow_up";
  /**
   * The channel the request was made on, when its follow-up step is its own.
   */
  channel?: string | null;
}
/**
 * Record the request number and e-mail, and look the request up.
 */
export interface FindRequestEvent {
  type: "find_request";
  answers?: Answers;
}
/**
 * Add the text and files to the found request.
 */
export interface AddInformationEvent {
  type: "add_information";
  answers?: Answers;
}
/**
 * Ask to reopen the found request (solved or closed).
 */
export interface ReopenEvent {
  type: "reopen";
}
/**
 * Host: the lookup found the request.
 */
export interface RequestFoundEvent {
  type: "request_found";
  lookup_id: string;
  request: RequestStatus;
}
/**
 * Where a registered request stands, as a support backend's mapping reads it (kl_contact.RequestStatus): for a user asking about a request they already have.
 */
export interface RequestStatus {
  /**
   * The request number in the definition's format.
   */
  request_number: string;
  /**
   * open: the engineers have it; waiting_for_you: they answered or asked, the user's move; solved: a reply reopens it; closed: a new request is needed.
   */
  state: "open" | "waiting_for_you" | "solved" | "closed";
  /**
   * When the engineers last replied, or null when they have not yet.
   */
  last_reply_at?: Datetime | null;
  /**
   * When the request last changed in the helpdesk, or null when it does not say.
   */
  updated_at?: Datetime | null;
}
/**
 * Host: the lookup found no request, or could not be made.
 */
export interface RequestNotFoundEvent {
  type: "request_not_found";
  lookup_id: string;
  /**
   * not_found: no request has this number and e-mail (it counts against the attempts); unavailable: the helpdesk could not be asked.
   */
  reason?: "not_found" | "unavailable";
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
    | "resolved"
    | "follow_up";
  status: "active" | "submitting" | "submitted" | "resolved";
  locale: string;
  locales: string[];
  title: string;
  progress: ViewProgress;
  /**
   * True on a step that ends the contact: no action leaves it.
   */
  terminal?: boolean;
  /**
   * The text direction of the view's locale (for the page's dir attribute).
   */
  dir?: "ltr" | "rtl";
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
  rating?: ViewRating | null;
  /**
   * A follow-up step, and the end it leads to: the request and its next steps.
   */
  follow_up?: ViewFollowUp | null;
}
export interface ViewProgress {
  index: number;
  total: number;
}
/**
 * An event the user can send now, with where each of its fields comes from.
 */
export interface ViewAction {
  /**
   * The event type the action sends (event.schema.json).
   */
  type:
    | "continue"
    | "choose_channel"
    | "answer"
    | "next"
    | "back"
    | "open_article"
    | "article_helped"
    | "article_not_helpful"
    | "escalate"
    | "send"
    | "change_locale"
    | "rate"
    | "skip_rating"
    | "follow_up"
    | "find_request"
    | "add_information"
    | "reopen";
  label?: string | null;
  primary?: boolean;
  /**
   * The event's fields besides type.
   */
  fields?: ViewActionField[];
  /**
   * True when the action never leaves the step; false when it moves on once the step allows it.
   */
  stays?: boolean;
}
export interface ViewActionField {
  /**
   * The event field's name.
   */
  name: string;
  /**
   * Where in the view the value comes from: the id of a shown channel whose choosable is true, a declared locale, the id of a shown match, one of the rating's scores, or an object keyed by the ids of the shown questions (each value shaped by the question's type and rules). Null: typed freely by the user.
   */
  source:
    | (
        | "/channels/*/id"
        | "/locales/*"
        | "/articles/matches/*/id"
        | "/questions"
        | "/rating/scores/*"
      )
    | null;
  required?: boolean;
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
  /**
   * Decides the answer's shape: an option id (single_choice), option ids (multiple_choice), a string (text, long_text, email, phone), a boolean (consent), attachment objects (attachments); info takes no answer. value echoes what was sent, well-formed or not.
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
  /**
   * A regular expression the whole text answer must match (its syntax reads alike in Python and ECMAScript).
   */
  pattern?: string | null;
  /**
   * The answer is the one the host prefilled.
   */
  prefilled?: boolean;
  /**
   * The answer is prefilled and cannot be changed: show it without an input.
   */
  read_only?: boolean;
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
  /**
   * Whether the channel is open at the session's last event.
   */
  open?: boolean;
  /**
   * False for a closed channel that cannot be chosen now.
   */
  choosable?: boolean;
  /**
   * The next opening, in the user's time zone, when closed.
   */
  opens_at?: Datetime | null;
  /**
   * When an open channel closes, in the user's time zone.
   */
  closes_at?: Datetime | null;
  /**
   * Channels to offer instead while this one is closed.
   */
  suggest?: string[];
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
  /**
   * The reply time the receipt promised, in hours.
   */
  reply_within_hours?: number | null;
}
/**
 * An end step's satisfaction question.
 */
export interface ViewRating {
  /**
   * The question asked.
   */
  title: string;
  /**
   * The label of the optional comment field.
   */
  comment_label: string;
  /**
   * The longest comment accepted, in characters.
   */
  comment_max_length: number;
  /**
   * The scores the rate action takes, lowest first.
   */
  scores: number[];
  status: "open" | "rated" | "skipped";
  /**
   * The score given, once rated.
   */
  score: number | null;
}
/**
 * A follow-up of a request the user already has.
 */
export interface ViewFollowUp {
  /**
   * idle: asking the number and e-mail; looking_up: waiting for the host; found; not_found; unavailable: the helpdesk could not be asked; added and reopened: done.
   */
  status: "idle" | "looking_up" | "found" | "not_found" | "unavailable" | "added" | "reopened";
  /**
   * How many lookups the session may still make.
   */
  attempts_left: number;
  /**
   * The request found, or null.
   */
  request?: RequestStatus | null;
  /**
   * The request's state and what the user may do next, in the session's locale.
   */
  next_steps?: string[];
  /**
   * Whether add_information is offered (an open request, or one waiting for the user).
   */
  can_add?: boolean;
  /**
   * Whether reopen is offered (a solved or closed request).
   */
  can_reopen?: boolean;
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
  /**
   * The user's IANA time zone.
   */
  time_zone?: string | null;
  /**
   * The user's region code, for regional support hours.
   */
  region?: string | null;
  follow_up?: SessionFollowUp;
  /**
   * How many events have changed the session; a host refuses a request carrying an older revision than the one it stored.
   */
  revision?: number;
  /**
   * The answers to the end steps' rating questions, one per step at most.
   */
  ratings?: SessionRating[];
  /**
   * The questions whose answers are still the ones the host prefilled at the start.
   */
  prefilled?: string[];
  /**
   * What was wrong with the host's prefilled answers, shown until the user answers the question.
   */
  prefill_issues?: Issue[];
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
  /**
   * Priority and queue from the definition's routing rules; null when it declares none.
   */
  routing?: TicketRouting | null;
  /**
   * The answer with the licence_key role: personal data.
   */
  licence_key?: string | null;
  /**
   * The consents the user gave, with the version and digest of their text.
   */
  consents?: TicketConsent[];
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
 * What the user saw of the suggested articles.
 */
export interface TicketArticles {
  shown?: string[];
  opened?: string[];
  not_helpful?: string[];
  escalated?: boolean;
}
export interface TicketRouting {
  priority: "low" | "normal" | "high" | "urgent";
  queue: string;
  /**
   * The id of the rule that chose them; null: no rule held, the default.
   */
  rule: string | null;
}
/**
 * A consent the user gave.
 */
export interface TicketConsent {
  /**
   * The consent question's id.
   */
  id: string;
  /**
   * The consent_version the definition gives the text.
   */
  version: string | null;
  /**
   * The SHA-256 (hex) of the consent text shown, its UTF-8 bytes.
   */
  text_sha256: string;
  /**
   * The locale the text was shown in.
   */
  locale: string;
  given_at: Datetime;
}
export interface SessionHistory {
  at: Datetime;
  event: string;
  step: string;
}
/**
 * A follow-up of a request the user already has: the lookup and what came of it.
 */
export interface SessionFollowUp {
  status?: "idle" | "looking_up" | "found" | "not_found" | "unavailable" | "added" | "reopened";
  lookup_id?: string | null;
  attempts?: number;
  request?: RequestStatus | null;
}
export interface SessionRating {
  step: string;
  at: Datetime;
  /**
   * Null when the user skipped the question.
   */
  score?: number | null;
  comment?: string | null;
}
/**
 * The result of one engine step: new session, view, effects.
 */
export interface Transition {
  session: Session;
  view: View;
  effects?: Effect[];
  /**
   * ignored: a host event answered an effect no longer awaited (unknown or stale search_id / submission_id); the session is unchanged.
   */
  outcome?: "applied" | "ignored";
}
/**
 * Find articles; answer with articles_found.
 */
export interface SearchArticlesEffect {
  type: "search_articles";
  search_id: string;
  query: ArticleQuery;
  limit: number;
  /**
   * The lowest score worth showing, from the definition.
   */
  min_score?: number;
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
  /**
   * The receipt fields the chosen channel's next steps need; a ticket_accepted whose receipt lacks one is refused with receipt.no_chat_url, receipt.no_phone or receipt.no_reply_within_hours.
   */
  receipt_fields?: ("contact.chat_url" | "contact.phone" | "reply_within_hours")[];
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
/**
 * Store a satisfaction rating.
 */
export interface RecordFeedbackEffect {
  type: "record_feedback";
  feedback: FeedbackEffect;
}
/**
 * One satisfaction rating, as the host stores it.
 */
export interface FeedbackEffect {
  session_id: string;
  /**
   * The definition's id.
   */
  workflow: string;
  /**
   * The end step rated.
   */
  step: string;
  score: number;
  at: Datetime;
  locale: string;
  /**
   * The channel chosen, if any.
   */
  channel?: string | null;
  /**
   * The article that helped, if any.
   */
  article_id?: string | null;
  /**
   * The request registered, if any.
   */
  request_number?: string | null;
  /**
   * What the user typed, if anything: personal data, never logged.
   */
  comment?: string | null;
}
/**
 * Find a registered request by its number and e-mail; answer with request_found or request_not_found.
 */
export interface LookUpRequestEffect {
  type: "look_up_request";
  lookup_id: string;
  request_number: string;
  email: string;
  locale: string;
}
/**
 * Add the user's text and files to a registered request (no event comes back).
 */
export interface AddToRequestEffect {
  type: "add_to_request";
  addition_id: string;
  request_number: string;
  email: string;
  text: string;
  attachments?: Attachment[];
}
/**
 * Reopen a solved or closed request (no event comes back).
 */
export interface ReopenRequestEffect {
  type: "reopen_request";
  reopen_id: string;
  request_number: string;
  email: string;
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
  /**
   * The user's IANA time zone, for opening times.
   */
  time_zone?: string | null;
  /**
   * The user's region code, for regional support hours.
   */
  region?: string | null;
  /**
   * Answers the host already knows, by question id (the definition's prefill: names which); each is checked like a typed answer.
   */
  prefill?: Answers | null;
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
export interface WireResumeEnvelope {
  resume: WireResume;
}
/**
 * Take up a stored session, possibly recorded on another version of the definition.
 */
export interface WireResume {
  session: {};
  now: Datetime;
  /**
   * refuse (the default): a session of another version is session.version_mismatch; migrate: keep what still fits and say what was dropped.
   */
  on_version_change?: "refuse" | "migrate";
}
export interface WireEraseEnvelope {
  erase: WireErase;
}
/**
 * Erase a finished session's personal data (the session is checked against its own schema).
 */
export interface WireErase {
  session: {};
}
/**
 * What resuming did: the versions, the answers not kept (never their values) and the step moved.
 */
export interface WireMigration {
  source: WorkflowRef;
  target: WorkflowRef;
  dropped?: {
    question: string;
    reason: "question_removed" | "type_changed" | "option_removed" | "hidden" | "channel_removed";
  }[];
  step_from?: string;
  step_to?: string;
}
/**
 * The declarative contact workflow: self-service, channel choice, questions, articles, the request and the confirmation.
 */
export interface Workflow {
  format: Format;
  id: WorkflowId;
  version: Version;
  locales: Locales;
  default_locale: DefaultLocale;
  title: WorkflowText;
  self_service: SelfServiceResources;
  contacts_page: ContactsPage;
  channels: Channels;
  steps: Steps;
  registration_note: WorkflowText;
  support_email?: SupportMailbox;
  articles?: ArticleSearch;
  messages?: MessageOverrides;
  hidden_answers?: WorkflowAnswerPolicy;
  phone_region?: PhoneRegion;
  requests?: RequestNumbers;
  routing?: Routing;
  prefill?: Prefill;
}
/**
 * A user-visible text: a map of locale code to string. Every declared locale must be present.
 */
export interface WorkflowText {
  [k: string]: string | undefined;
}
/**
 * A self-service pointer shown before contacting support.
 */
export interface WorkflowResource {
  id: WorkflowId;
  kind: Kind;
  title: WorkflowText;
  description: WorkflowText;
  url: WorkflowText;
}
/**
 * The support contacts page for home users (title and address).
 */
export interface ContactsPage {
  title: WorkflowText;
  url: WorkflowText;
  follow_up?: WorkflowId;
}
/**
 * A way to reach the engineers.
 */
export interface WorkflowChannel {
  id: WorkflowId;
  title: WorkflowText;
  description: WorkflowText;
  button: WorkflowText;
  instructions: Instructions1;
  availability?: WorkflowAvailability;
  follow_up?: WorkflowId;
}
/**
 * One next step on the confirmation screen of a channel.
 */
export interface WorkflowInstruction {
  text: WorkflowText;
  action?: Action;
  label?: WorkflowText;
}
/**
 * Support hours of a channel; without them the channel is always open.
 */
export interface WorkflowAvailability {
  time_zone?: WorkflowTimeZone;
  always_open?: AlwaysOpen;
  weekly?: WorkflowWeekly;
  exceptions?: WorkflowExceptions;
  regions?: RegionalHours;
  when_closed?: WhileClosed;
}
export interface WorkflowPeriod {
  opens: WorkflowClock;
  closes: WorkflowClock;
}
/**
 * Other hours per region code.
 */
export interface RegionalHours {
  [k: string]: WorkflowSchedule | undefined;
}
export interface WorkflowSchedule {
  time_zone?: WorkflowTimeZone;
  always_open?: AlwaysOpen1;
  weekly?: WorkflowWeekly;
  exceptions?: WorkflowExceptions;
}
/**
 * Whether the channel may be chosen while closed, and what to suggest instead.
 */
export interface WhileClosed {
  choosable?: ChoosableWhileClosed;
  suggest?: SuggestedInstead;
}
/**
 * One screen of the flow.
 */
export interface WorkflowStep {
  id: WorkflowId;
  kind: Kind1;
  title: WorkflowText;
  text?: WorkflowText;
  button?: WorkflowText;
  questions?: Questions;
  next?: WorkflowId;
  routes?: Routes;
  on_helped?: WorkflowId;
  rating?: WorkflowRating;
  attempts?: LookupsAllowed;
}
/**
 * One field of a questions or request step.
 */
export interface WorkflowQuestion {
  id: WorkflowId;
  type: Type;
  label: WorkflowText;
  help?: WorkflowText;
  placeholder?: WorkflowText;
  options?: Options;
  required?: Required;
  required_when?: WorkflowCondition;
  when?: WorkflowCondition;
  role?: Role;
  min_length?: ShortestAnswer;
  max_length?: LongestAnswer;
  pattern?: Pattern;
  pattern_message?: WorkflowText;
  min_selected?: FewestChoices;
  max_selected?: MostChoices;
  attachments?: WorkflowAttachments;
  depends_on?: WorkflowDependentOptions;
  hidden_answer?: WorkflowAnswerPolicy;
  severity?: RuleSeverities;
  personal?: Personal;
  consent_version?: ConsentVersion;
}
/**
 * One entry of a choice question.
 */
export interface WorkflowOption {
  id: WorkflowId;
  label: WorkflowText;
  when?: WorkflowCondition;
}
/**
 * Which files may be attached (metadata only).
 */
export interface WorkflowAttachments {
  media_types?: MediaTypes;
  extensions?: Extensions;
  max_size?: LargestFile;
  max_count?: MostFiles;
  max_total_size?: LargestTotal;
}
/**
 * The option list depends on the answer to an earlier single_choice question: one list per parent option id. The question shows once the parent has an answer whose list is not empty; an empty list hides it.
 */
export interface WorkflowDependentOptions {
  question: WorkflowId;
  options: OptionListsByParentValue;
}
/**
 * Parent option id -> the options offered when it is chosen. Every parent option needs a list (lint: dependent.missing_list).
 */
export interface OptionListsByParentValue {
  [k: string]: WorkflowOption[] | undefined;
}
/**
 * The severity of each validation rule of this question: `error` blocks going on, `warning` is shown and does not. Rules not listed are errors.
 */
export interface RuleSeverities {
  [k: string]: ("error" | "warning") | undefined;
}
/**
 * A conditional next step.
 */
export interface WorkflowRoute {
  when: WorkflowCondition;
  to: WorkflowId;
}
/**
 * The satisfaction question of an end step. Both texts are optional: the message catalog's `rating.title` and `rating.comment` are shown when they are absent.
 */
export interface WorkflowRating {
  title?: WorkflowText;
  comment_label?: WorkflowText;
}
/**
 * How many articles the articles step asks for, and the lowest score worth showing.
 */
export interface ArticleSearch {
  limit?: Limit;
  min_score?: LowestScore;
}
/**
 * Replacements for built-in validation messages, by issue code; may use {min}, {max}, {index}, {max_mb} and {reason}.
 */
export interface MessageOverrides {
  [k: string]: WorkflowText;
}
/**
 * How the support backend's ticket id becomes the request number the user sees, and the tag the registration e-mail's subject carries so that a reply finds its request.
 */
export interface RequestNumbers {
  number?: RequestNumber;
  subject_tag?: SubjectTag;
}
/**
 * Which queue takes a request and how urgent it is, from its answers: the first rule whose condition holds over the answers the user was shown, else the default. The ticket carries the priority, the queue and the rule.
 */
export interface Routing {
  queues: Queues;
  default: Default;
  rules?: Rules;
}
/**
 * What a request no rule matches gets.
 */
export interface Default {
  queue: WorkflowId;
  priority?: Priority;
}
/**
 * Requests whose shown answers meet when get this priority and queue.
 */
export interface Rule {
  id: WorkflowId;
  when: WorkflowCondition;
  priority: Priority1;
  queue: WorkflowId;
}
/**
 * The questions the host may answer before the user sees them (the product, its version, the operating system, the licence key the user's own program knows), and how each shows: `editable` (filled in, the user may change it) or `read_only` (filled in, the user cannot change it). A prefilled answer is checked like a typed one.
 */
export interface Prefill {
  [k: string]: PrefillMode | undefined;
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
  locale: Locale1;
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
