// A frontend's view of kl_contact, written against the shipped declarations only: it builds
// the events a page sends and renders a view it receives. `tsc --noEmit` must accept it, and
// must refuse each line marked @ts-expect-error (a wrong event, a misspelt field): that is
// what makes the declarations worth having.
import type {
  ChooseChannelEvent,
  Event,
  NextEvent,
  SendEvent,
  View,
  ViewQuestion,
  WireHandle,
} from "../../../schemas/kl_contact";

export function chooseChannel(channel: string): ChooseChannelEvent {
  return { type: "choose_channel", channel };
}

export function next(answers: Record<string, string | boolean | string[]>): NextEvent {
  return { type: "next", answers };
}

export function handleRequest(session: WireHandle["session"], event: Event, now: Date): WireHandle {
  return { session, event, now: now.toISOString() };
}

const send: SendEvent = { type: "send", answers: { consent: true, email: "a@example.com" } };
export const events: Event[] = [{ type: "continue" }, chooseChannel("chat"), next({}), send];

// @ts-expect-error: there is no such event type
export const unknownEvent: Event = { type: "jump" };
// @ts-expect-error: choose_channel needs its channel
export const missingChannel: Event = { type: "choose_channel" };
// @ts-expect-error: events carry no fields beyond their own
export const extraField: NextEvent = { type: "next", answers: {}, cookie: "x" };

function renderQuestion(question: ViewQuestion): string {
  const options = (question.options ?? []).map((option) => `  ( ) ${option.label}`);
  const issues = (question.issues ?? []).map((issue) => `  ! ${issue.message}`);
  return [`${question.label}${question.required ? " *" : ""}`, ...options, ...issues].join("\n");
}

/** A plain-text rendering of any view, knowing nothing of a particular workflow. */
export function render(view: View): string {
  const lines = [`${view.title} (${view.progress.index}/${view.progress.total})`];
  if (view.text) lines.push(view.text);
  for (const issue of view.issues ?? []) lines.push(`! ${issue.message}`);
  switch (view.kind) {
    case "questions":
    case "request":
      lines.push(...(view.questions ?? []).map(renderQuestion));
      break;
    case "channel_choice":
      lines.push(...(view.channels ?? []).map((channel) => `${channel.title}: [${channel.button}]`));
      break;
    case "articles":
      lines.push(...(view.articles?.matches ?? []).map((match) => `* ${match.title} ${match.url}`));
      break;
    case "confirmation": {
      const confirmation = view.confirmation;
      if (confirmation) {
        lines.push(`Request ${confirmation.request_number}`);
        lines.push(...confirmation.instructions.steps.map((step) => `- ${step.text}`));
      }
      break;
    }
    default:
      lines.push(...(view.resources ?? []).map((resource) => `${resource.title}`));
  }
  for (const action of view.actions ?? []) lines.push(`<${action.label ?? action.type}>`);
  return lines.join("\n");
}

// @ts-expect-error: a view's kind is one of a closed set
export const badKind: View["kind"] = "wizard";
