// The contact page: renders any kl_contact view from its JSON and sends events back.
//
// It knows the wire format (view.schema.json and event.schema.json: question types, event
// types and their fields) and nothing of a particular workflow: no step, question, option or
// channel id appears here. Every text shown comes from the view, except the page's own few
// words below. Text is always set with textContent, never parsed as HTML, and only http(s),
// tel: and mailto: links are followed. Nothing runs inline: the page's policy forbids it.
//
// The session id in the address (#session=...) is only a name: the host lets this page use
// it when the browser holds the session's capability cookie, which the host set when it
// created the session and which no script can read. Given an id it does not own, the page
// is refused and starts a session of its own.
"use strict";

// The page's own words, for the few things a view leaves unlabelled.
const WORDS = {
  en: {
    step: "Step {index} of {total}",
    loading: "Looking for articles…",
    failed: "Articles could not be loaded. You can still contact support.",
    none: "No article matches your question.",
    article_helped: "This helped",
    article_not_helpful: "Did not help",
    marked: "Marked as not helpful",
    request_number: "Request number",
    stale: "This request was changed in another tab or window. Its latest state is shown.",
    refused: "This action is not possible now.",
    offline: "The service cannot be reached. Please try again.",
    restart: "Start a new request",
    choose: "—",
    language: "Language",
    rate: "Send rating",
    skip_rating: "Skip",
    rated: "Thank you for your rating.",
    score: "{score} of {max}",
  },
  ru: {
    step: "Шаг {index} из {total}",
    loading: "Ищем статьи…",
    failed: "Не удалось загрузить статьи. Вы можете обратиться в поддержку.",
    none: "Подходящих статей не нашлось.",
    article_helped: "Это помогло",
    article_not_helpful: "Не помогло",
    marked: "Отмечено как бесполезное",
    request_number: "Номер обращения",
    stale: "Обращение изменили в другой вкладке или окне. Показано его текущее состояние.",
    refused: "Сейчас это действие недоступно.",
    offline: "Сервис недоступен. Попробуйте ещё раз.",
    restart: "Новое обращение",
    choose: "—",
    language: "Язык",
    rate: "Отправить оценку",
    skip_rating: "Пропустить",
    rated: "Спасибо за оценку.",
    score: "{score} из {max}",
  },
};

// Event types by the payload they carry (event.schema.json).
const WITH_ANSWERS = new Set(["answer", "next", "send", "find_request", "add_information"]);
const PER_ARTICLE = new Set(["open_article", "article_helped", "article_not_helpful"]);
const RATING = new Set(["rate", "skip_rating"]);
const RENDERED_ELSEWHERE = new Set(["answer", "choose_channel", "change_locale", ...PER_ARTICLE,
                                    ...RATING]);
const SAFE_URL = /^(https?:|tel:|mailto:)/i;

const state = { sessionId: null, version: null, view: null, busy: false, pending: null, renders: 0,
                shownStep: null, focusKey: null };
const main = document.getElementById("view");
const notice = document.getElementById("notice");
const localeNav = document.getElementById("locales");

function words() {
  const locale = state.view ? state.view.locale : "en";
  return WORDS[locale] || WORDS.en;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function link(url, text, attrs = {}) {
  if (!url || !SAFE_URL.test(url)) return el("span", { text });
  const external = /^https?:/i.test(url);
  return el("a", { href: url, text, target: external ? "_blank" : null,
                   rel: external ? "noopener noreferrer" : null, ...attrs });
}

// ------------------------------------------------------------------ focus
//
// Every reply re-renders the view, which would drop the keyboard focus to the page's start.
// The page remembers what had the focus (by what it is, not by node) and gives it back when
// the step stays the same; on a new step the focus goes to its heading, so the next Tab
// starts at the top of the new content and a screen reader announces it.

function focusKey(node) {
  if (!node || node === document.body || !(main.contains(node) || localeNav.contains(node))) {
    return null;
  }
  if (node.type === "checkbox" && node.name) {
    return `[name="${CSS.escape(node.name)}"][value="${CSS.escape(node.value)}"]`;
  }
  if (node.id) return "#" + CSS.escape(node.id);
  const card = node.closest("[data-article]");
  const marks = [["data-event", node.dataset.event], ["data-channel", node.dataset.channel],
                 ["data-locale", node.dataset.locale]].filter(([, value]) => value);
  if (!marks.length) return null;
  const own = node.tagName.toLowerCase()
    + marks.map(([key, value]) => `[${key}="${CSS.escape(value)}"]`).join("");
  return card ? `[data-article="${CSS.escape(card.dataset.article)}"] ${own}` : own;
}

document.addEventListener("focusin", (event) => {
  const key = focusKey(event.target);
  if (key) state.focusKey = key;
});

function restoreFocus(sameStep, heading) {
  const wanted = sameStep && state.focusKey ? document.querySelector(state.focusKey) : null;
  if (wanted && !wanted.disabled) wanted.focus();
  else if (state.renders > 1) heading.focus();
}

function say(text, kind = "") {
  notice.textContent = text || "";
  notice.className = kind;
  notice.hidden = !text;
}

// ------------------------------------------------------------------ talking to the host

async function call(method, path, body) {
  state.busy = true;
  main.setAttribute("aria-busy", "true");
  for (const button of document.querySelectorAll("button")) button.disabled = true;
  try {
    const response = await fetch(path, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    let data = null;
    try { data = await response.json(); } catch (_) { /* not JSON: handled below */ }
    return { status: response.status, data };
  } catch (_) {
    return { status: 0, data: null };
  } finally {
    state.busy = false;
    main.setAttribute("aria-busy", "false");
  }
}

function show(reply) {
  const { status, data } = reply;
  if (data && data.view) {
    state.sessionId = data.session_id;
    state.version = data.version;
    state.view = data.view;
    history.replaceState(null, "", "#session=" + encodeURIComponent(data.session_id));
    if (status === 409) say(words().stale);
    else if (status >= 400) say(words().refused + (data.error ? ` (${data.error.code})` : ""), "error");
    else say("");
    render(data.view);
  } else {
    say(status === 0 ? words().offline : words().refused, "error");
    for (const button of document.querySelectorAll("button")) button.disabled = false;
  }
}

async function send(event) {
  if (state.busy) {
    // a choice made while the previous one is on its way is sent right after it
    if (event.type === "answer") state.pending = event;
    return;
  }
  const path = `/api/sessions/${encodeURIComponent(state.sessionId)}/events`;
  show(await call("POST", path, { version: state.version, event }));
  if (state.pending) {
    const next = state.pending;
    state.pending = null;
    await send(next);
  }
}

async function start() {
  const wanted = new URLSearchParams(location.search).get("locale")
    || (navigator.language || "").slice(0, 2).toLowerCase();
  let reply = await call("POST", "/api/sessions", wanted ? { locale: wanted } : {});
  if (reply.status === 422) reply = await call("POST", "/api/sessions", {});
  show(reply);
}

async function resume() {
  const match = /#session=([^&]+)/.exec(location.hash);
  if (match) {
    const reply = await call("GET", `/api/sessions/${match[1]}`);
    if (reply.status === 200) return show(reply);
  }
  return start();
}

// ------------------------------------------------------------------ answers

function answersFrom(form, questions, { skipEmpty }) {
  const answers = {};
  for (const q of questions) {
    const name = "q-" + q.id;
    if (q.type === "info") continue;
    if (q.type === "multiple_choice") {
      answers[q.id] = [...form.querySelectorAll(`input[name="${CSS.escape(name)}"]:checked`)]
        .map((box) => box.value);
      continue;
    }
    const input = form.elements.namedItem(name);
    if (!input) continue;
    if (q.type === "consent") answers[q.id] = input.checked;
    else if (q.type === "attachments") {
      const files = [...input.files].map((f) => ({
        name: f.name, media_type: f.type || "application/octet-stream", size: f.size }));
      if (files.length) answers[q.id] = files;
      else if (Array.isArray(q.value) && q.value.length) answers[q.id] = q.value;
    } else if (q.type === "single_choice") {
      if (input.value) answers[q.id] = input.value;
    } else if (input.value || !skipEmpty) {
      answers[q.id] = input.value;
    }
  }
  return answers;
}

// ------------------------------------------------------------------ rendering

function issueList(issues) {
  if (!issues.length) return null;
  return el("ul", { class: "issues", role: "alert" }, ...issues.map((i) =>
    el("li", { class: i.severity === "warning" ? "warning" : "", text: i.message })));
}

function field(q, form, questions, allowed) {
  const id = "q-" + q.id;
  const described = q.help ? id + "-help" : null;
  const help = q.help ? el("p", { class: "help", id: described, text: q.help }) : null;
  const issues = (q.issues || []).map((i) =>
    el("p", { class: "issue" + (i.severity === "warning" ? " warning" : ""), role: "alert",
              text: i.message }));
  const refresh = allowed.has("answer")
    ? () => send({ type: "answer", answers: answersFrom(form, questions, { skipEmpty: true }) })
    : null;
  const common = { id, name: id, required: q.required, "aria-describedby": described,
                   "aria-invalid": issues.length ? "true" : null };
  let control;
  switch (q.type) {
    case "single_choice":
      control = el("select", { ...common, onchange: refresh },
        el("option", { value: "", text: words().choose }),
        ...q.options.map((o) => el("option", { value: o.id, text: o.label,
                                                  selected: q.value === o.id })));
      break;
    case "multiple_choice":
      return el("fieldset", { class: "field" }, el("legend", { text: q.label }), help,
        ...q.options.map((o) => el("label", {},
          el("input", { type: "checkbox", name: id, value: o.id, onchange: refresh,
                        checked: Array.isArray(q.value) && q.value.includes(o.id) }),
          " " + o.label)),
        ...issues);
    case "consent":
      return el("div", { class: "field" },
        el("label", {}, el("input", { ...common, type: "checkbox", checked: q.value === true,
                                      onchange: refresh }), " " + q.label),
        help, ...issues);
    case "long_text":
      control = el("textarea", { ...common, placeholder: q.placeholder,
                                 maxlength: q.max_length, text: q.value ?? "" });
      break;
    case "attachments": {
      const rules = q.attachments || {};
      control = el("input", { ...common, type: "file", multiple: (rules.max_count || 1) > 1,
                              accept: (rules.extensions || []).join(",") || null });
      const kept = Array.isArray(q.value) ? q.value.map((a) => a.name).join(", ") : "";
      if (kept) issues.unshift(el("p", { class: "help", text: kept }));
      break;
    }
    case "info":
      return el("div", { class: "field" }, el("p", { text: q.label }), help);
    default: {
      const type = { email: "email", phone: "tel" }[q.type] || "text";
      control = el("input", { ...common, type, placeholder: q.placeholder,
                              maxlength: q.max_length, value: q.value ?? "",
                              autocomplete: { email: "email", tel: "tel" }[type] || null });
    }
  }
  return el("div", { class: "field" }, el("label", { for: id, text: q.label }), help, control,
            ...issues);
}

function actionButton(action, onclick) {
  const label = action.label || words()[action.type] || action.type;
  return el("button", { type: "button", class: action.primary ? "primary" : null, text: label,
                        "data-event": action.type, onclick });
}

function articles(view, allowed) {
  const part = view.articles;
  const section = el("section", { class: "articles" });
  if (part.status === "loading" || part.status === "idle") {
    section.append(el("p", { text: words().loading }));
  } else if (part.status === "failed") {
    section.append(el("p", { class: "issue", text: words().failed }));
  } else if (!part.matches.length) {
    section.append(el("p", { text: words().none }));
  }
  for (const match of part.matches) {
    const open = allowed.has("open_article")
      ? () => { send({ type: "open_article", article_id: match.id }); }
      : null;
    const card = el("article", { class: "card", "data-article": match.id },
      el("h2", {}, link(match.url, match.title, { onclick: open })),
      match.summary ? el("p", { text: match.summary }) : null);
    const buttons = el("div", { class: "actions" });
    for (const type of ["article_helped", "article_not_helpful"]) {
      if (!allowed.has(type)) continue;
      if (type === "article_not_helpful" && part.not_helpful.includes(match.id)) {
        buttons.append(el("span", { class: "marked", text: words().marked }));
        continue;
      }
      buttons.append(actionButton({ type }, () => send({ type, article_id: match.id })));
    }
    card.append(buttons);
    section.append(card);
  }
  return section;
}

function confirmation(part) {
  const steps = part.instructions.steps.map((step) => {
    const item = el("li", {}, el("p", { text: step.text }));
    const action = step.action;
    if (action && action.kind === "open_chat" && action.url) {
      item.append(link(action.url, action.label || action.url, { class: "button primary" }));
    } else if (action && action.kind === "call" && action.phone) {
      item.append(link("tel:" + action.phone.replace(/[^+\d]/g, ""),
        `${action.label ? action.label + ": " : ""}${action.phone_display || action.phone}`,
        { class: "button primary" }));
    } else if (action && action.kind === "wait_email" && action.email) {
      item.append(el("p", { class: "help", text: action.email }));
    }
    return item;
  });
  return el("section", { class: "confirmation card" },
    el("p", { text: words().request_number }),
    el("p", { class: "request-number", text: part.request_number }),
    el("ol", {}, ...steps),
    el("p", { class: "registration-note", text: part.instructions.registration_note }));
}

// The rating question of an end step: a score out of view.rating.scores, an optional comment.
function rating(part, allowed) {
  const section = el("section", { class: "rating card" });
  if (part.status !== "open" || !allowed.has("rate")) {
    if (part.status === "rated") section.append(el("p", { class: "rated", text: words().rated }));
    return part.status === "open" ? null : section;
  }
  const max = part.scores[part.scores.length - 1];
  const scores = el("fieldset", { class: "field scores" }, el("legend", { text: part.title }),
    ...part.scores.map((score) => el("label", {},
      el("input", { type: "radio", name: "rating-score", value: String(score),
                    "aria-label": fill(words().score, { score, max }) }),
      " " + score)));
  const comment = el("textarea", { id: "rating-comment", name: "rating-comment",
                                   maxlength: part.comment_max_length });
  const buttons = el("div", { class: "actions" },
    actionButton({ type: "rate", primary: true }, () => {
      const chosen = section.querySelector('input[name="rating-score"]:checked');
      const event = { type: "rate", score: chosen ? Number(chosen.value) : 0 };
      if (comment.value.trim()) event.comment = comment.value;
      send(event);
    }),
    allowed.has("skip_rating")
      ? actionButton({ type: "skip_rating" }, () => send({ type: "skip_rating" }))
      : null);
  section.append(scores,
    el("div", { class: "field" }, el("label", { for: "rating-comment", text: part.comment_label }),
       comment),
    buttons);
  return section;
}

function render(view) {
  const allowed = new Set(view.actions.map((a) => a.type));
  const questionIds = new Set(view.questions.map((q) => q.id));
  document.documentElement.lang = view.locale;
  document.documentElement.dir = view.dir || "ltr";
  document.title = view.title;

  localeNav.replaceChildren();
  if (allowed.has("change_locale") && view.locales.length > 1) {
    localeNav.append(...view.locales.map((locale) => el("button", {
      type: "button", text: locale.toUpperCase(), "aria-pressed": String(locale === view.locale),
      "data-locale": locale,
      "aria-label": `${words().language}: ${locale}`, disabled: locale === view.locale,
      onclick: () => send({ type: "change_locale", locale }),
    })));
  }

  const heading = el("h1", { text: view.title, tabindex: "-1" });
  const parts = [
    el("p", { class: "progress", text: fill(words().step, view.progress) }),
    heading,
    view.text ? el("p", { class: "lead", text: view.text }) : null,
    // issues about one shown question appear beside it; the rest appear here
    issueList(view.issues.filter((i) =>
      !(i.path.length >= 2 && i.path[0] === "answers" && questionIds.has(String(i.path[1]))))),
  ];

  if (view.resources.length) {
    parts.push(el("ul", { class: "resources" }, ...view.resources.map((r) =>
      el("li", { class: "card" }, el("h2", {}, link(r.url, r.title)),
         el("p", { text: r.description })))));
  }
  if (view.contacts_page) parts.push(el("p", {}, link(view.contacts_page.url, view.contacts_page.title)));
  for (const channel of view.channels) {
    parts.push(el("section", { class: "card channel" },
      el("h2", { text: channel.title }), el("p", { text: channel.description }),
      allowed.has("choose_channel")
        ? el("button", { type: "button", class: "primary", text: channel.button,
                         "aria-label": `${channel.button}: ${channel.title}`,
                         "data-channel": channel.id,
                         onclick: () => send({ type: "choose_channel", channel: channel.id }) })
        : null));
  }
  if (view.articles) parts.push(articles(view, allowed));
  if (view.confirmation) parts.push(confirmation(view.confirmation));
  if (view.follow_up && view.follow_up.next_steps && view.follow_up.next_steps.length) {
    const request = view.follow_up.request;
    parts.push(el("section", { class: "follow-up card" },
      request ? el("h2", { text: `${words().request_number}: ${request.request_number}` }) : null,
      el("ul", {}, ...view.follow_up.next_steps.map((step) => el("li", { text: step })))));
  }
  if (view.rating) parts.push(rating(view.rating, allowed));

  const form = el("form", { novalidate: true, onsubmit: (e) => e.preventDefault() });
  for (const q of view.questions) form.append(field(q, form, view.questions, allowed));

  const buttons = el("div", { class: "actions" });
  for (const action of view.actions) {
    if (RENDERED_ELSEWHERE.has(action.type)) continue;
    buttons.append(actionButton(action, () => send(WITH_ANSWERS.has(action.type)
      ? { type: action.type, answers: answersFrom(form, view.questions, { skipEmpty: false }) }
      : { type: action.type })));
  }
  if (!view.actions.length || view.actions.every((a) => RATING.has(a.type))) {
    buttons.append(el("button", { type: "button", text: words().restart, onclick: () => {
      history.replaceState(null, "", location.pathname + location.search);
      start();
    } }));
  }
  form.append(buttons);
  parts.push(form);
  main.replaceChildren(...parts.filter(Boolean));
  main.dataset.kind = view.kind;
  main.dataset.step = view.step;
  main.dataset.renders = String(++state.renders);
  const sameStep = state.shownStep === view.step;
  state.shownStep = view.step;
  restoreFocus(sameStep, heading);
}

resume();
