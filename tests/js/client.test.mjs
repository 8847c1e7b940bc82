// A generic frontend client: it knows the shipped schemas and the wire format, and nothing
// of any definition (no step id, question id or option value is written here). It drives
// the library's JSON entry point as a process (`python -m kl_contact.wire DEFINITION`),
// plays the host for the effects, validates every document it sends and receives with ajv
// (strict), tries invalid input on every step it reaches, and walks until every path that
// `kl-contact paths` lists for the definition has been walked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import RandExp from "randexp";

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..", "..");
const BASE = "https://kl-contact.invalid/schemas/";
const PYTHON = process.env.KL_CONTACT_PYTHON || path.join(root, ".venv", "bin", "python");
const WALKS = Number(process.env.KL_CONTACT_WALKS || 400); // walking stops once all are covered

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
const schemaDir = path.join(root, "schemas");
for (const name of readdirSync(schemaDir).filter((n) => n.endsWith(".schema.json"))) {
  ajv.addSchema(JSON.parse(readFileSync(path.join(schemaDir, name), "utf8")));
}
const check = Object.fromEntries(
  ["wire", "event", "session", "view", "receipt", "request_status"].map((n) => [n, ajv.getSchema(`${BASE}${n}.schema.json`)]),
);
// Effects no event answers (a letter, a rating, an update); the states a found request may be in (from the schemas alone).
const NOTICES = new Set(["send_registration_email", "record_feedback", "add_to_request", "reopen_request"]);
const STATES = ajv.getSchema(`${BASE}request_status.schema.json`).schema.properties.state.enum;
const ACTION_TYPES = ajv.getSchema(`${BASE}view.schema.json#/$defs/action`).schema.properties.type.enum;

// A small deterministic random source, so that a failure can be replayed.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

class Wire {
  constructor(definition) {
    const args = ["-m", "kl_contact.wire", ...(definition ? [definition] : [])];
    this.proc = spawn(PYTHON, args, { stdio: ["pipe", "pipe", "inherit"] });
    this.waiting = [];
    createInterface({ input: this.proc.stdout }).on("line", (line) => this.waiting.shift()(JSON.parse(line)));
    this.violations = [];
    this.documents = 0;
  }
  validate(name, doc, where) {
    this.documents += 1;
    if (!check[name](doc)) this.violations.push({ where, name, errors: check[name].errors });
  }
  async send(envelope, where) {
    this.validate("wire", envelope, `${where} (sent)`);
    if (envelope.handle) {
      this.validate("event", envelope.handle.event, `${where} (event)`);
      this.validate("session", envelope.handle.session, `${where} (session sent)`);
    }
    const reply = await new Promise((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin.write(JSON.stringify(envelope) + "\n");
    });
    this.validate("wire", reply, `${where} (received)`);
    return reply;
  }
  close() {
    this.proc.stdin.end();
  }
}

let clock = Date.parse("2026-11-24T10:00:00Z"); // a Tuesday morning: support is open
function now() {
  clock += 1000;
  return new Date(clock).toISOString().replace(".000Z", "+00:00");
}

// A valid answer for a question, read from the rules its view carries.
function validAnswer(q, rand) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  switch (q.type) {
    case "single_choice":
      return q.options.length ? pick(q.options).id : undefined;
    case "multiple_choice": {
      if (!q.options.length) return undefined;
      const low = Math.max(q.min_selected ?? 0, q.required ? 1 : 0, 1);
      const high = Math.min(q.max_selected ?? q.options.length, q.options.length);
      const count = low + Math.floor(rand() * (high - low + 1));
      return [...q.options].sort(() => rand() - 0.5).slice(0, count).map((o) => o.id);
    }
    case "email":
      return "user@example.com";
    case "phone":
      return "+44 20 7946 0958";
    case "consent":
      return true;
    case "attachments": {
      const rules = q.attachments;
      if (!rules) return undefined;
      const ext = rules.extensions[0] ?? ".txt";
      return [{ name: `report${ext}`, media_type: rules.media_types[0] ?? "text/plain", size: 10 }];
    }
    case "info":
      return undefined;
    default: {
      const low = Math.max(q.min_length ?? 0, 1);
      const high = q.max_length ?? 200;
      if (q.pattern) {
        const gen = new RandExp(q.pattern);
        gen.randInt = (a, b) => a + Math.floor(rand() * (b - a + 1));
        for (let i = 0; i < 50; i += 1) {
          const text = gen.gen();
          if (text.length >= low && text.length <= high) return text;
        }
        throw new Error("no text of the allowed length matches the pattern");
      }
      const text = "A generic answer typed by the client ".repeat(10);
      return text.slice(0, Math.max(low, Math.min(high, 30)));
    }
  }
}

// Answers that break one rule each, read from the same rules.
function invalidAnswers(q) {
  const out = [];
  if (q.type === "single_choice" && q.options.length) out.push("no-such-option-" + q.options.map((o) => o.id).join(""));
  if (q.type === "multiple_choice" && q.max_selected != null && q.options.length > q.max_selected)
    out.push(q.options.map((o) => o.id));
  if (["text", "long_text"].includes(q.type)) {
    if (q.max_length != null) out.push("x".repeat(q.max_length + 1));
    if (q.min_length != null && q.min_length > 1) out.push("x");
    if (q.pattern) out.push("\u0000 matches no pattern \u0000");
  }
  if (q.type === "email") out.push("not an address");
  return out;
}

// Required fields of an event type, filled by their JSON type alone (for an event a step refuses).
function eventFields(type) {
  const branch = ajv.getSchema(`${BASE}event.schema.json#/$defs/${type}`).schema;
  const out = {};
  for (const name of branch.required ?? []) {
    if (name === "type") continue;
    const kind = [branch.properties[name].type].flat()[0];
    out[name] = kind === "object" ? {} : kind === "array" ? [] : kind === "integer" ? 1 : "x";
  }
  return out;
}

function viewOf(reply) {
  assert.equal(reply.ok, true, JSON.stringify(reply.error));
  return reply.transition.view;
}

class Walker {
  constructor(wire, stats) {
    this.wire = wire;
    this.stats = stats;
  }
  async handle(session, event, where) {
    return this.wire.send({ handle: { session, event, now: now() } }, where);
  }

  // Play the host: answer each effect the way a backend would.
  async host(transition, rand) {
    let t = transition;
    for (;;) {
      const effect = t.effects?.find((e) => !NOTICES.has(e.type));
      if (!effect) return t;
      let event;
      if (effect.type === "look_up_request") {
        // a helpdesk that finds most requests, in any state, and refuses a few
        this.stats.lookups += 1;
        if (rand() < 0.15) {
          event = { type: "request_not_found", lookup_id: effect.lookup_id };
        } else {
          const state = STATES[Math.floor(rand() * STATES.length)];
          const request = { request_number: effect.request_number, state, last_reply_at: rand() < 0.5 ? null : now() };
          this.wire.validate("request_status", request, "request status");
          event = { type: "request_found", lookup_id: effect.lookup_id, request };
        }
      } else if (effect.type === "search_articles") {
        const matches = rand() < 0.9
          ? [1, 2].map((n) => ({ id: `found-${n}`, title: `Article ${n}`, url: `https://kb.example/${n}`, score: 1 / n }))
          : [];
        event = { type: "articles_found", search_id: effect.search_id, matches };
      } else {
        const needs = new Set(effect.receipt_fields ?? []);
        const contact = {};
        if (needs.has("contact.chat_url")) contact.chat_url = "https://chat.example/r/1";
        if (needs.has("contact.phone")) contact.phone = "+44 20 7946 0000";
        const receipt = { request_number: `R-${this.stats.walks}`, channel: effect.ticket.channel, contact };
        if (needs.has("reply_within_hours")) receipt.reply_within_hours = 4;
        this.wire.validate("receipt", receipt, "receipt");
        event = { type: "ticket_accepted", submission_id: effect.submission_id, receipt };
      }
      const reply = await this.handle(t.session, event, `host ${effect.type}`);
      viewOf(reply);
      t = reply.transition;
    }
  }

  // Wrong input on this step must come back as issues or typed errors, never a move.
  async tryInvalid(t) {
    const view = t.view;
    const step = view.step;
    const offered = new Set(view.actions.map((a) => a.type));
    const refused = ACTION_TYPES.find((type) => !offered.has(type));
    if (refused) {
      const reply = await this.handle(t.session, { type: refused, ...eventFields(refused) }, "not offered");
      assert.equal(reply.ok, false);
      assert.equal(reply.error.code, "event.not_allowed");
      assert.deepEqual(reply.session, t.session);
      this.stats.invalid += 1;
    }
    const stale = await this.handle(t.session, { type: "articles_failed", search_id: "stale" }, "stale");
    assert.equal(stale.transition.outcome, "ignored");
    if (!offered.has("answer")) return;
    for (const q of view.questions) {
      for (const bad of invalidAnswers(q)) {
        const reply = await this.handle(t.session, { type: "answer", answers: { [q.id]: bad } }, "invalid answer");
        const after = viewOf(reply);
        assert.equal(after.step, step);
        const shown = after.questions.find((x) => x.id === q.id);
        assert.ok(shown && shown.issues && shown.issues.length, `no issue for a wrong answer on ${step}`);
        this.stats.invalid += 1;
      }
    }
    if (view.questions.some((q) => q.required)) {
      const primary = view.actions.find((a) => a.primary && !a.stays);
      const reply = await this.handle(t.session, { type: primary.type, answers: {} }, "empty answers");
      const after = viewOf(reply);
      assert.equal(after.step, step);
      assert.ok(after.questions.some((q) => q.issues?.length) || after.issues?.length);
      this.stats.invalid += 1;
    }
  }

  // The fields of an event, each taken from where the action says it comes from.
  fill(type, view, rand = Math.random) {
    const action = view.actions.find((a) => a.type === type);
    const out = {};
    for (const field of action?.fields ?? []) {
      const from = {
        "/channels/*/id": view.channels.filter((c) => c.choosable !== false).map((c) => c.id),
        "/locales/*": view.locales.filter((l) => l !== view.locale),
        "/articles/matches/*/id": (view.articles?.matches ?? []).map((m) => m.id),
        "/rating/scores/*": view.rating?.scores ?? [],
      }[field.source];
      if (field.source === "/questions") out[field.name] = {};
      else if (from && from.length) out[field.name] = from[Math.floor(rand() * from.length)];
      else if (field.required) out[field.name] = "none";
    }
    return out;
  }

  async walk(seed) {
    const rand = rng(seed);
    this.stats.walks += 1;
    const started = await this.wire.send({ start: { session_id: `walk-${seed}`, now: now() } }, "start");
    let t = await this.host(started.transition, rand);
    const steps = [t.view.step];
    const tried = this.stats.triedSteps;
    let switched = false;
    for (let guard = 0; guard < 60 && !t.view.terminal; guard += 1) {
      const view = t.view;
      if (!tried.has(view.step)) {
        tried.add(view.step);
        await this.tryInvalid(t);
      }
      const offered = new Map(view.actions.map((a) => [a.type, a]));
      let event;
      if (!switched && offered.has("change_locale") && view.locales.length > 1 && rand() < 0.3) {
        switched = true;
        event = { type: "change_locale", ...this.fill("change_locale", view, rand) };
      } else if (offered.has("answer")) {
        let current = t;
        const answers = {};
        for (const q of view.questions) {
          const shown = current.view.questions.find((x) => x.id === q.id);
          if (!shown) continue;
          const value = validAnswer(shown, rand);
          if (value === undefined) continue;
          answers[q.id] = value;
          const reply = await this.handle(current.session, { type: "answer", answers: { [q.id]: value } }, "answer");
          current = reply.transition;
        }
        for (const q of current.view.questions) {
          if (!(q.id in answers)) {
            const value = validAnswer(q, rand);
            if (value !== undefined) answers[q.id] = value;
          }
        }
        t = current;
        const leave = view.actions.find((a) => a.primary && !a.stays);
        event = { type: leave.type, answers };
      } else if (offered.has("escalate")) {
        if (offered.get("open_article") && view.articles?.matches?.length) {
          const opened = await this.handle(t.session, { type: "open_article", ...this.fill("open_article", view, rand) }, "open");
          t = opened.transition;
        }
        const helped = view.articles?.matches?.length && rand() < 0.5;
        event = helped
          ? { type: "article_helped", ...this.fill("article_helped", view, rand) }
          : { type: "escalate" };
      } else {
        // any action that leaves, the first more often than the others ("choose a channel"
        // rather than "I already have a request")
        const leaving = view.actions.filter((a) => !a.stays && a.type !== "back");
        const leave = leaving.length > 1 && rand() < 0.3 ? leaving[1 + Math.floor(rand() * (leaving.length - 1))] : leaving[0];
        event = { type: leave.type, ...this.fill(leave.type, view, rand) };
      }
      const reply = await this.handle(t.session, event, `${event.type}`);
      viewOf(reply);
      t = await this.host(reply.transition, rand);
      const after = t.view;
      assert.ok(
        after.step !== view.step ||
          offered.get(event.type).stays ||
          after.issues?.length ||
          after.questions.some((q) => q.issues?.length) ||
          JSON.stringify(after.actions) !== JSON.stringify(view.actions), // the step offers something else now
        `stuck on ${view.step} after ${event.type}: ${JSON.stringify(after.issues)}`,
      );
      if (t.view.step !== steps.at(-1)) steps.push(t.view.step);
    }
    assert.ok(t.view.terminal, `walk ${seed} did not end: ${steps.join(" -> ")}`);
    if (t.view.rating) {
      // an end that asks for a rating: a score out of range is an issue, then rate or skip
      assert.equal(t.view.rating.status, "open");
      const wrong = viewOf(await this.handle(t.session, { type: "rate", score: 0 }, "rate out of range"));
      assert.deepEqual(wrong.issues.map((i) => i.code), ["rating.out_of_range"]);
      this.stats.invalid += 1;
      const rate = rand() < 0.7;
      const event = rate ? { type: "rate", ...this.fill("rate", t.view, rand) } : { type: "skip_rating" };
      const reply = await this.handle(t.session, event, event.type);
      const effects = reply.transition.effects.map((e) => e.type);
      assert.deepEqual(effects, rate ? ["record_feedback"] : []);
      t = reply.transition;
      assert.equal(t.view.rating.status, rate ? "rated" : "skipped");
      assert.equal(t.view.step, steps.at(-1));
    }
    assert.deepEqual(t.view.actions, []);
    this.stats.terminals[t.view.step] = (this.stats.terminals[t.view.step] ?? 0) + 1;
    return steps.join(" -> ");
  }
}

function listedPaths(definition) {
  const cli = path.join(path.dirname(PYTHON), "kl-contact");
  const text = execFileSync(cli, ["paths", ...(definition ? [definition] : [])], { encoding: "utf8" });
  return [...text.matchAll(/^path \d+: (.+)$/gm)].map((m) => m[1].trim());
}

const DEFINITIONS = [
  ["the default workflow", null],
  ["a workflow with pattern rules", path.join(root, "tests", "definitions", "licence-key.yaml")],
  ["a right-to-left workflow", path.join(root, "tests", "definitions", "hebrew.yaml")],
];

for (const [name, definition] of DEFINITIONS) {
  test(`a client that knows only the schemas walks every path of ${name}`, { skip: !existsSync(PYTHON) && process.env.CI !== "true" && "no Python venv (make js makes it)" }, async () => {
    const wanted = [...new Set(listedPaths(definition))]; // two ways out may share their steps
    assert.ok(wanted.length >= 2, wanted.join("\n"));
    const wire = new Wire(definition);
    const stats = { walks: 0, invalid: 0, lookups: 0, terminals: {}, triedSteps: new Set() };
    const walker = new Walker(wire, stats);
    const covered = new Set();
    try {
      for (let seed = 1; seed <= WALKS && covered.size < wanted.length; seed += 1) {
        const walked = await walker.walk(seed);
        if (wanted.includes(walked)) covered.add(walked);
      }
    } finally {
      wire.close();
    }
    console.log(
      `${name}: ${stats.walks} walks, terminals ${JSON.stringify(stats.terminals)}, ` +
        `${stats.invalid} invalid inputs refused, ${stats.lookups} lookups answered, ` +
        `${wire.documents} documents validated, ` +
        `${wire.violations.length} schema violations, paths covered ${covered.size}/${wanted.length}`,
    );
    assert.deepEqual(wire.violations, []);
    assert.deepEqual([...wanted].filter((p) => !covered.has(p)), []);
  });
}
