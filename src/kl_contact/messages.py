"""The message catalog: every built-in user-visible message, keyed by a stable id.

Each message is given in every locale the library ships (Russian and English). A definition
may override any of them under ``messages:``. Messages use ``{placeholders}`` filled from
an issue's ``params`` (numbers and labels, never the user's own text). This module sits at
the bottom of the library: it imports nothing of it but the text helpers and the errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from kl_contact._text import localize, substitute
from kl_contact.errors import Severity, ValidationIssue

__all__ = ["MESSAGES", "Localizer", "Messages", "message", "missing_messages", "reworded"]

Messages = Mapping[str, Mapping[str, str]]
"""Texts by stable id: the catalog below, or a definition's ``messages:`` overrides."""

MESSAGES: dict[str, dict[str, str]] = {
    "answer.required": {"ru": "Заполните это поле.", "en": "This field is required."},
    "answer.wrong_type": {
        "ru": "Ответ в неверном формате.",
        "en": "The answer has the wrong format.",
    },
    "answer.unknown_option": {
        "ru": "Выберите вариант из списка.",
        "en": "Choose one of the options in the list.",
    },
    "answer.unknown_question": {
        "ru": "Такого вопроса на этом шаге нет.",
        "en": "There is no such question on this step.",
    },
    "answer.read_only": {
        "ru": "Этот ответ заполнен вашей программой, и изменить его нельзя.",
        "en": "This answer was filled in by your program and cannot be changed.",
    },
    "prefill.not_allowed": {
        "ru": "Программа передала ответ, который здесь нельзя заполнить заранее: он не сохранён.",
        "en": "Your program sent an answer that cannot be filled in here in advance: "
        "it was not kept.",
    },
    "answer.too_short": {
        "ru": "Введите не меньше {min} символов.",
        "en": "Enter at least {min} characters.",
    },
    "answer.too_long": {
        "ru": "Введите не больше {max} символов.",
        "en": "Enter at most {max} characters.",
    },
    "answer.pattern": {"ru": "Ответ в неверном формате.", "en": "The answer has the wrong format."},
    "answer.too_few": {"ru": "Выберите не меньше {min}.", "en": "Choose at least {min}."},
    "answer.too_many": {"ru": "Выберите не больше {max}.", "en": "Choose at most {max}."},
    "answer.invalid_email": {
        "ru": "Введите адрес электронной почты, например name@example.com.",
        "en": "Enter an e-mail address, for example name@example.com.",
    },
    "answer.invalid_phone": {
        "ru": "Введите номер телефона с кодом страны, например +7 495 123-45-67.",
        "en": "Enter a phone number with the country code, for example +44 20 7946 0958.",
    },
    "answer.duplicate_option": {
        "ru": "Каждый вариант можно выбрать только один раз.",
        "en": "Each option can be chosen only once.",
    },
    "answer.phone_country_code": {
        "ru": "Введите номер с кодом страны, начиная с +, например +7 495 123-45-67.",
        "en": "Enter the number with its country code, for example +44 20 7946 0958.",
    },
    "answer.consent_required": {
        "ru": "Без этого согласия мы не сможем ответить на запрос.",
        "en": "We cannot answer the request without this consent.",
    },
    "answer.not_encodable": {
        "ru": "Текст содержит символы, которые нельзя сохранить.",
        "en": "The text contains characters that cannot be stored.",
    },
    "answer.control_characters": {
        "ru": "Текст содержит недопустимые символы.",
        "en": "The text contains characters that are not allowed.",
    },
    "attachment.too_many": {
        "ru": "Можно приложить не больше {max} файлов.",
        "en": "You can attach at most {max} files.",
    },
    "attachment.too_large": {
        "ru": "Файл {index} больше {max_mb} МБ.",
        "en": "File {index} is larger than {max_mb} MB.",
    },
    "attachment.bad_size": {
        "ru": "Файл {index}: неверный размер файла.",
        "en": "File {index}: the file size is not valid.",
    },
    "attachment.total_too_large": {
        "ru": "Файлы вместе больше {max_mb} МБ.",
        "en": "The files together are larger than {max_mb} MB.",
    },
    "attachment.content_mismatch": {
        "ru": "Файл {index}: содержимое не соответствует типу файла.",
        "en": "File {index}: its content is not what its type says.",
    },
    "attachment.type_not_allowed": {
        "ru": "Файл {index}: такой тип файлов приложить нельзя.",
        "en": "File {index}: this type of file cannot be attached.",
    },
    "attachment.bad_name": {
        "ru": "Файл {index}: недопустимое имя файла.",
        "en": "File {index}: the file name is not allowed.",
    },
    "document.invalid": {
        "ru": "Данные формы повреждены. Обновите страницу и попробуйте ещё раз.",
        "en": "The form data is damaged. Reload the page and try again.",
    },
    "document.unknown_channel": {
        "ru": "Такого способа связи нет.",
        "en": "There is no such channel.",
    },
    "document.unknown_locale": {
        "ru": "Этот язык не поддерживается.",
        "en": "This language is not supported.",
    },
    "document.other_workflow": {
        "ru": "Запрос заполнен для другой формы обращения.",
        "en": "The request was filled in for another form.",
    },
    "ticket.rebuilt": {
        "ru": "Это поле заявки не совпадало с ответами и составлено заново.",
        "en": "This field of the request did not match the answers and was built again.",
    },
    "ticket.rejected": {
        "ru": "Не удалось отправить запрос. Попробуйте ещё раз.",
        "en": "The request could not be sent. Please try again.",
    },
    "receipt.wrong_channel": {
        "ru": "Ответ службы поддержки относится к другому способу связи.",
        "en": "The support service answered for another channel.",
    },
    "receipt.no_chat_url": {
        "ru": "Служба поддержки не вернула ссылку на чат.",
        "en": "The support service did not return a chat link.",
    },
    "receipt.no_phone": {
        "ru": "Служба поддержки не вернула номер телефона.",
        "en": "The support service did not return a phone number.",
    },
    "receipt.no_reply_within_hours": {
        "ru": "Служба поддержки не сообщила срок ответа.",
        "en": "The support service did not say when it replies.",
    },
    "receipt.no_request_number": {
        "ru": "Служба поддержки не вернула номер запроса.",
        "en": "The support service did not return a request number.",
    },
    "articles.failed": {
        "ru": "Не удалось подобрать статьи. Вы можете сразу обратиться в поддержку.",
        "en": "Articles could not be found right now. You can contact support straight away.",
    },
    # ---- screens and tickets
    "action.back": {"ru": "Назад", "en": "Back"},
    "answer.yes": {"ru": "да", "en": "yes"},
    # ---- satisfaction rating on an end step
    "rating.title": {
        "ru": "Оцените, пожалуйста, насколько вам помогли",
        "en": "How well were you helped?",
    },
    "rating.comment": {"ru": "Комментарий (необязательно)", "en": "Comment (optional)"},
    "rating.out_of_range": {
        "ru": "Выберите оценку от {min} до {max}.",
        "en": "Choose a score from {min} to {max}.",
    },
    "rating.comment_too_long": {
        "ru": "Комментарий должен быть не длиннее {max} символов.",
        "en": "Keep the comment to {max} characters at most.",
    },
    "answer.no": {"ru": "нет", "en": "no"},
    "question.prefilled": {"ru": "заполнено вашей программой", "en": "filled in by your program"},
    "question.read_only": {
        "ru": "заполнено вашей программой, изменить нельзя",
        "en": "filled in by your program, cannot be changed",
    },
    # ---- channels: a closed channel, opening times, next steps
    "channel.closed": {
        "ru": "Канал «{channel}» сейчас закрыт.{opens}{suggest}",
        "en": "{channel} is closed now.{opens}{suggest}",
    },
    "channel.closed.opens": {"ru": " Он откроется {opens_at}.", "en": " It opens on {opens_at}."},
    "channel.closed.suggest": {
        "ru": " Выберите другой способ: {others}.",
        "en": " Choose another way: {others}.",
    },
    "time.format": {"ru": "%d.%m.%Y %H:%M", "en": "%Y-%m-%d %H:%M"},
    "instructions.reply_within": {
        "ru": "Инженер ответит в течение {hours} ч.",
        "en": "An engineer replies within {hours} h.",
    },
    "action.open_chat": {"ru": "Перейти в чат", "en": "Go to chat"},
    "action.call": {"ru": "Позвонить", "en": "Call"},
    # ---- following up a request the user already has
    "follow_up.not_found": {
        "ru": "Запрос с таким номером для этого адреса не найден. Проверьте номер и адрес "
        "(осталось попыток: {left}).",
        "en": "No request with this number was found for this address. Check the number and "
        "the address ({left} attempts left).",
    },
    "follow_up.attempts": {
        "ru": "Слишком много попыток поиска запроса. Ответьте на письмо о регистрации "
        "запроса или создайте новый запрос.",
        "en": "Too many attempts to find the request. Reply to the letter that registered it, "
        "or make a new request.",
    },
    "follow_up.unavailable": {
        "ru": "Сейчас не удаётся найти запрос. Попробуйте ещё раз чуть позже.",
        "en": "The request cannot be looked up right now. Please try again a little later.",
    },
    "follow_up.nothing_to_add": {
        "ru": "Напишите, что хотите добавить, или приложите файл.",
        "en": "Write what you want to add, or attach a file.",
    },
    "follow_up.state.open": {
        "ru": "Запрос {request_number} открыт: инженеры работают над ним.",
        "en": "Request {request_number} is open: the engineers are working on it.",
    },
    "follow_up.state.waiting_for_you": {
        "ru": "Инженеры ответили по запросу {request_number} и ждут вашего ответа.",
        "en": "The engineers answered request {request_number} and are waiting for you.",
    },
    "follow_up.state.solved": {
        "ru": "Запрос {request_number} решён.",
        "en": "Request {request_number} is solved.",
    },
    "follow_up.state.closed": {
        "ru": "Запрос {request_number} закрыт.",
        "en": "Request {request_number} is closed.",
    },
    "follow_up.last_reply": {
        "ru": "Последний ответ инженеров: {time}.",
        "en": "The engineers last replied on {time}.",
    },
    "follow_up.no_reply": {
        "ru": "Инженеры ещё не ответили.",
        "en": "The engineers have not replied yet.",
    },
    "follow_up.next.wait": {
        "ru": "Инженеры напишут вам на адрес, указанный в запросе.",
        "en": "The engineers will write to the address given in the request.",
    },
    "follow_up.next.reply": {
        "ru": "Чтобы дополнить запрос, ответьте на любое письмо о нём, не меняя номер "
        "запроса в теме.",
        "en": "To add information, reply to any letter about the request and keep the "
        "request number in the subject.",
    },
    "follow_up.next.form": {
        "ru": "Или напишите подробности и приложите файлы здесь.",
        "en": "Or write the details and attach files here.",
    },
    "follow_up.next.reopen": {
        "ru": "Если проблема вернулась, откройте запрос снова: инженеры посмотрят его ещё раз.",
        "en": "If the problem came back, reopen the request: the engineers will look at it again.",
    },
    "follow_up.done.added": {
        "ru": "Информация добавлена в запрос {request_number}. Инженеры ответят по почте.",
        "en": "Your information was added to request {request_number}. The engineers reply "
        "by e-mail.",
    },
    "follow_up.done.reopened": {
        "ru": "Запрос {request_number} открыт снова. Инженеры ответят по почте.",
        "en": "Request {request_number} has been reopened. The engineers reply by e-mail.",
    },
    "action.follow_up": {"ru": "У меня уже есть запрос", "en": "I already have a request"},
    "action.find_request": {"ru": "Найти запрос", "en": "Find the request"},
    "action.add_information": {"ru": "Добавить в запрос", "en": "Add to the request"},
    "action.reopen": {"ru": "Открыть запрос снова", "en": "Reopen the request"},
    # ---- the registration e-mail
    "email.subject": {
        "ru": "Запрос зарегистрирован: {subject}",
        "en": "Request registered: {subject}",
    },
    "email.intro": {
        "ru": "Здравствуйте! Ваш запрос {request_number} в техническую поддержку зарегистрирован.",
        "en": "Hello, your request {request_number} to technical support has been registered.",
    },
    "email.summary": {"ru": "Ваш запрос", "en": "Your request"},
    "email.request_number": {"ru": "Номер запроса", "en": "Request number"},
    "email.channel": {"ru": "Способ связи", "en": "Channel"},
    "email.subject_label": {"ru": "Тема", "en": "Subject"},
    "email.files": {"ru": "Приложено файлов: {count}", "en": "Files attached: {count}"},
    "email.next_steps": {"ru": "Что дальше", "en": "What happens next"},
    "email.reply": {
        "ru": "Чтобы дополнить запрос или задать вопрос, ответьте на это письмо, "
        "не меняя номер запроса в теме.",
        "en": "To add information to the request or ask a question, reply to this letter "
        "and keep the request number in the subject.",
    },
    # ---- session tokens
    "token.malformed": {
        "en": "The session token is damaged. Please start again.",
        "ru": "Токен сеанса повреждён. Начните заново.",
    },
    "token.unknown_key": {
        "en": "The session token was not issued here or is too old. Please start again.",
        "ru": "Токен сеанса выдан не здесь или слишком старый. Начните заново.",
    },
    "token.tampered": {
        "en": "The session token has been altered. Please start again.",
        "ru": "Токен сеанса изменён. Начните заново.",
    },
    "token.expired": {
        "en": "The session has expired. Please start again.",
        "ru": "Срок действия сеанса истёк. Начните заново.",
    },
    "token.unreadable": {
        "en": "The session token cannot be read by this version. Please start again.",
        "ru": "Эта версия не может прочитать токен сеанса. Начните заново.",
    },
    "token.too_large": {
        "en": "The session token holds more than a session can. Please start again.",
        "ru": "Токен сеанса содержит больше, чем может сеанс. Начните заново.",
    },
}


def message(
    code: str,
    locale: str,
    fallback: str,
    params: Mapping[str, str | int] | None = None,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """The message for ``code`` in ``locale``, with ``params`` filled in."""
    text = (overrides or {}).get(code) or MESSAGES.get(code) or {"en": code}
    values = {key: str(value) for key, value in (params or {}).items()}
    return substitute(localize(text, locale, fallback), values)


def missing_messages(
    locales: Iterable[str], overrides: Mapping[str, Mapping[str, str]] | None = None
) -> list[tuple[str, str]]:
    """``(code, locale)`` pairs with no message: neither built in nor in ``overrides``.

    A definition that declares a locale the library does not ship (say ``de``) must give
    every message under ``messages:``, or its users read the default locale's text.

    >>> missing_messages(["ru", "en"])
    []
    >>> ("answer.required", "de") in missing_messages(["en", "de"])
    True
    """
    overrides = overrides or {}
    return [
        (code, locale)
        for code in sorted(MESSAGES)
        for locale in locales
        if locale not in overrides.get(code, {}) and locale not in MESSAGES[code]
    ]


class Localizer:
    """Builds localised issues for one locale, with the definition's message overrides."""

    def __init__(
        self, locale: str, fallback: str, overrides: Mapping[str, Mapping[str, str]]
    ) -> None:
        self.locale = locale
        self.fallback = fallback
        self.overrides = overrides

    def issue(
        self,
        code: str,
        path: tuple[str | int, ...],
        params: Mapping[str, str | int] | None = None,
        severity: Severity = "error",
        text: Mapping[str, str] | None = None,
    ) -> ValidationIssue:
        """An issue whose message is ``text`` (when given) or the message for ``code``."""
        if text is not None:
            overrides: Mapping[str, Mapping[str, str]] = {code: text}
        else:
            overrides = self.overrides
        return ValidationIssue(
            code=code,
            path=path,
            message=message(code, self.locale, self.fallback, params, overrides),
            severity=severity,
            params=dict(params or {}),
        )


def reworded(
    issue: ValidationIssue,
    locale: str,
    fallback: str,
    overrides: Messages,
    text: Mapping[str, str] | None = None,
) -> ValidationIssue:
    """``issue`` with its message in ``locale``, rebuilt from its code and params.

    An issue is data (code, path, params); its message is a rendering of them, so a session
    that changes its locale shows the same issues reworded instead of checking again.
    ``text`` is the issue's own text where its definition gives one (a pattern's message).
    """
    chosen = {issue.code: text} if text is not None else overrides
    worded = message(issue.code, locale, fallback, issue.params, chosen)
    return issue if worded == issue.message else attrs.evolve(issue, message=worded)
