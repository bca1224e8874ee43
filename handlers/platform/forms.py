"""A consent-gated, multi-step form, once: the shape of the BO idea form and event sign-ups.

A `Form` is a list of `Step`s over a typed draft (a pydantic model saved as the FSM data, so
it survives restarts and is JSON on Redis too). The form handles, in one place:
- the start: continue a draft, ask for the purpose's consent, or begin;
- each step: its question and hint (from knowledge/forms/<form>.yaml), buttons, typed text,
  a location pin, Skip where a step is optional, Back and Cancel (a filled form asks first);
- input that does not fit (text at a button step, a photo, a pin elsewhere): the step again;
- the summary, with an edit button per answer; typed text there shows the summary again;
- cross-field rules, checked at the summary and again at confirm: the resident is told what
  to change and taken to that step;
- confirm, which the form's own `confirm` callback does (store, queue, reply).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n.lazy_proxy import LazyProxy
from pydantic import BaseModel, ConfigDict, ValidationError

from handlers.platform.consent import ask_consent, current_consent
from handlers.platform.context import Turn
from handlers.platform.keyboards import Keyboard
from handlers.platform.middlewares import FORM_STATE_PREFIX
from handlers.platform.telegram_html import fit
from handlers.platform.telegram_ops import remove_buttons, replace_buttons, tell, usable
from storage.consents import ActiveConsent

log = logging.getLogger(__name__)
SUMMARY = "summary"


class FormData(BaseModel):
    """What every draft holds besides its answers."""

    model_config = ConfigDict(extra="ignore")

    form: str
    purpose: str
    step: str
    locale: str
    editing: bool = False  # answering a step again from the summary


D = TypeVar("D", bound=FormData)


class Invalid(ValueError):
    """The resident's answer cannot be used; the message says what to fix."""


class FormCallback(CallbackData, prefix="f"):
    form: str
    action: str  # pick | done | back | cancel | drop | keep | skip | edit | confirm
    step: str
    value: str = ""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool = False  # a multiple-choice step marks what is chosen so far


@dataclass(frozen=True)
class Problem:
    """A cross-field rule the draft breaks, and the step where it can be fixed."""

    step: str
    message: str


@dataclass
class Step(Generic[D]):
    name: str
    question: LazyProxy | str
    fields: tuple[str, ...]  # the draft fields this step answers
    parse: Callable[[str, D, Turn], dict[str, Any]] | None = None  # typed text; raises Invalid
    choices: Callable[[D, Turn], list[Choice]] | None = None
    pick: Callable[[str, D, Turn], dict[str, Any] | None] | None = None  # None: forged value
    pin: Callable[[float, float, D, Turn], dict[str, Any]] | None = None
    skip_label: LazyProxy | str | None = None
    skip: Callable[[D], dict[str, Any] | None] | None = None  # updates when Skip is allowed
    applies: Callable[[D], bool] = lambda draft: True
    columns: int = 1
    # Several choices: a press toggles one and the step stays; Done (what `done` sets) moves on.
    done: Callable[[D], dict[str, Any]] | None = None
    edit_label: LazyProxy | str | None = None  # the summary's edit button; None: not editable

    def answered(self, draft: D) -> bool:
        return any(getattr(draft, name, None) is not None for name in self.fields)


Confirm = Callable[[D, CallbackQuery, Message, Turn, FSMContext], Awaitable[None]]


@dataclass
class Form(Generic[D]):
    name: str
    purpose: str | None  # None: a staff form, no resident's consent involved
    draft_model: type[D]
    steps: Sequence[Step[D]]
    intro: Callable[[D, Turn], str]
    summary: Callable[[D, Turn], str]
    confirm: Confirm[D]
    confirm_label: LazyProxy | str
    title: LazyProxy | str  # "your BO idea": named when another form is in progress
    begin_fields: Callable[[ActiveConsent | None, Turn, str], dict[str, Any]] = (
        lambda consent, turn, ref: {})
    check: Callable[[D, Turn], list[Problem]] = lambda draft, turn: []
    adjust: Callable[[D, str], D] = lambda draft, step: draft  # after a step is answered
    commands: tuple[str, ...] = ()
    # Facts the summary needs from the database (an audience size), looked up before it shows.
    prepare: Callable[[D, Turn], Awaitable[D]] | None = None
    _steps: dict[str, Step[D]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._steps = {step.name: step for step in self.steps}

    @property
    def state(self) -> str:
        return f"{FORM_STATE_PREFIX}{self.name}"

    # -- starting -------------------------------------------------------------------------

    async def open(self, message: Message, turn: Turn, state: FSMContext, user_id: int,
                   form_data: dict[str, Any] | None, ref: str = "",
                   prefill: dict[str, Any] | None = None) -> None:
        """Continue a draft, begin with consent in force, or ask for the consent first."""
        raw_state = await state.get_state()
        if raw_state == self.state and (draft := self.load(form_data)) is not None:
            await message.answer(_("Let's continue where you left off."))
            await self.show(message, draft, turn, state)
            return
        if raw_state and raw_state.startswith(FORM_STATE_PREFIX):
            await message.answer(_("You have an unfinished form. Finish it below, or type /cancel "
                                   "to drop it first."))
            return
        if self.purpose is None:
            await self.begin(message, None, turn, state, ref, prefill)
            return
        consent = await current_consent(turn, user_id, self.purpose)
        if consent is None:
            await ask_consent(message, turn, self.purpose, ref=ref)
            return
        await self.begin(message, consent, turn, state, ref, prefill)

    async def begin(self, message: Message, consent: ActiveConsent | None, turn: Turn,
                    state: FSMContext, ref: str = "", prefill: dict[str, Any] | None = None
                    ) -> None:
        """A new draft (answers in `prefill` count as given) at its first unanswered step."""
        draft = self.draft_model.model_validate({
            "form": self.name, "purpose": self.purpose or "", "step": "", "locale": turn.locale,
            **self.begin_fields(consent, turn, ref), **(prefill or {})})
        await message.answer(self.intro(draft, turn))
        await self.show(message, self._at(draft, self._first_step(draft)), turn, state)

    async def after_consent(self, query: CallbackQuery, message: Message,
                            consent: ActiveConsent, turn: Turn, state: FSMContext,
                            ref: str = "") -> None:
        await self.begin(message, consent, turn, state, ref)

    def load(self, form_data: dict[str, Any] | None) -> D | None:
        if not form_data or form_data.get("form") != self.name:
            return None
        try:
            return self.draft_model.model_validate(form_data)
        except ValidationError:
            log.warning("a %s draft no longer matches the form; starting over", self.name)
            return None

    # -- moving between steps -------------------------------------------------------------

    def order(self, draft: D) -> list[Step[D]]:
        return [step for step in self.steps if step.applies(draft)]

    def _first_step(self, draft: D) -> str:
        """The first step without an answer (a form may start pre-filled), else the summary."""
        return next((s.name for s in self.order(draft) if not s.answered(draft)), SUMMARY)

    def _following(self, draft: D, step_name: str) -> str:
        order = self.order(draft)
        if draft.editing:
            return next((s.name for s in order if not s.answered(draft)), SUMMARY)
        names = [s.name for s in order]
        if step_name in names:
            later = [s for s in order[names.index(step_name) + 1:]]
            return later[0].name if later else SUMMARY
        return next((s.name for s in order if not s.answered(draft)), SUMMARY)

    def _preceding(self, draft: D, step_name: str) -> str:
        names = [s.name for s in self.order(draft)]
        if step_name == SUMMARY or step_name not in names:
            return names[-1]
        return names[max(names.index(step_name) - 1, 0)]

    @staticmethod
    def _at(draft: D, step_name: str, **changes: Any) -> D:
        return draft.model_copy(update={"step": step_name, **changes})

    async def save(self, draft: D, state: FSMContext) -> None:
        await state.set_state(self.state)
        await state.set_data(draft.model_dump(mode="json"))

    async def show(self, message: Message, draft: D, turn: Turn, state: FSMContext) -> None:
        """Save the draft at its step and show that step (or the summary)."""
        if draft.step == SUMMARY:
            problems = self.check(draft, turn)
            if problems:
                await message.answer("⚠️ " + problems[0].message)
                draft = self._at(draft, problems[0].step, editing=True)
            elif self.prepare is not None:
                draft = await self.prepare(draft, turn)
        await self.save(draft, state)
        text, keyboard = (self._summary_view(draft, turn) if draft.step == SUMMARY
                          else self._step_view(draft, turn))
        await message.answer(text, reply_markup=keyboard)

    def _step_view(self, draft: D, turn: Turn) -> tuple[str, InlineKeyboardMarkup]:
        step = self._steps[draft.step]
        order = self.order(draft)
        number = [s.name for s in order].index(step.name) + 1 if step in order else 1
        hint = turn.base.form(self.name).hint(step.name, draft.locale) if (
            self.name in turn.base.forms) else ""
        lines = ["<b>" + _("Step {number} of {total}: {question}").format(
            number=number, total=len(order), question=str(step.question)) + "</b>"]
        if hint:
            lines.append(f"<i>{html.escape(hint)}</i>")
        keyboard = Keyboard()
        widths: list[int] = []
        if step.choices is not None:
            choices = step.choices(draft, turn)
            for choice in choices:
                label = f"✓ {choice.label}" if choice.selected else choice.label
                keyboard.button(text=label, callback_data=self._data(
                    "pick", step.name, choice.value))
            widths += [step.columns] * ((len(choices) + step.columns - 1) // step.columns)
        if step.done is not None:
            keyboard.button(text=_("✅ Done"), callback_data=self._data("done", step.name))
            widths.append(1)
        if step.skip is not None and step.skip(draft) is not None and step.skip_label:
            keyboard.button(text=str(step.skip_label), callback_data=self._data("skip", step.name))
            widths.append(1)
        keyboard.button(text=_("⬅ Back"), callback_data=self._data("back", step.name))
        keyboard.button(text=_("✖ Cancel"), callback_data=self._data("cancel", step.name))
        keyboard.adjust(*widths, 2)
        return "\n".join(lines), keyboard.as_markup()

    def _summary_view(self, draft: D, turn: Turn) -> tuple[str, InlineKeyboardMarkup]:
        keyboard = Keyboard()
        editable = [s for s in self.order(draft) if s.edit_label is not None]
        for step in editable:
            keyboard.button(text=_("✏️ {field}").format(field=str(step.edit_label)),
                            callback_data=self._data("edit", SUMMARY, step.name))
        keyboard.button(text=str(self.confirm_label), callback_data=self._data("confirm", SUMMARY))
        keyboard.button(text=_("✖ Cancel"), callback_data=self._data("cancel", SUMMARY))
        keyboard.adjust(*([2] * ((len(editable) + 1) // 2)), 1, 1)
        return fit(self.summary(draft, turn)), keyboard.as_markup()

    def _data(self, action: str, step: str, value: str = "") -> FormCallback:
        return FormCallback(form=self.name, action=action, step=step, value=value)

    async def accept(self, message: Message, draft: D, step_name: str, updates: dict[str, Any],
                     turn: Turn, state: FSMContext) -> None:
        """An answer to `step_name`: apply it, then the next step (or the summary)."""
        draft = self.draft_model.model_validate({**draft.model_dump(), **updates})
        draft = self.adjust(draft, step_name)
        following = self._following(draft, step_name)
        await self.show(message, self._at(draft, following,
                                          editing=draft.editing and following != SUMMARY),
                        turn, state)

    # -- handlers -------------------------------------------------------------------------

    async def on_button(self, query: CallbackQuery, callback_data: FormCallback, turn: Turn,
                        state: FSMContext, form_data: dict[str, Any] | None,
                        callback_answer: CallbackAnswer) -> None:
        """Choices, Skip, Back, Cancel, Edit and Confirm."""
        message = usable(query.message)
        if turn.storage_unavailable:
            tell(callback_answer, _("I can't reach my memory right now. Please try again in a "
                                    "moment; your answers are safe."), alert=True)
            return
        draft = self.load(form_data)
        action, step_name = callback_data.action, callback_data.step
        if message is None or draft is None or step_name != draft.step:
            tell(callback_answer, _("This button belongs to an earlier step."), alert=True)
            return
        step = self._steps.get(step_name)
        if action == "cancel":
            await self._cancel(message, draft, turn, state)
        elif action == "drop":
            await state.clear()
            await remove_buttons(message)
            await message.answer(_("Cancelled: your draft is deleted."))
        elif action == "keep":
            await remove_buttons(message)
            await self.show(message, draft, turn, state)
        elif action == "back":
            previous = self._preceding(draft, step_name)
            await self.show(message, self._at(draft, previous), turn, state)
        elif (action == "edit" and step_name == SUMMARY and callback_data.value in self._steps
              and self._steps[callback_data.value].applies(draft)):
            editing = self._at(draft, callback_data.value, editing=True)
            await self.show(message, editing, turn, state)
        elif action == "confirm" and step_name == SUMMARY:
            await self._confirm(query, message, draft, turn, state)
        elif (updates := self._chosen(step, action, callback_data.value, draft, turn)) is not None:
            if step is not None and step.done is not None and action == "pick":
                chosen = self.draft_model.model_validate({**draft.model_dump(), **updates})
                await self.save(chosen, state)  # toggled: the step stays, its marks change
                await replace_buttons(message, self._step_view(chosen, turn)[1])
            else:
                await self.accept(message, draft, step_name, updates, turn, state)
        else:
            tell(callback_answer, _("This button belongs to an earlier step."), alert=True)

    @staticmethod
    def _chosen(step: Step[D] | None, action: str, value: str, draft: D, turn: Turn
                ) -> dict[str, Any] | None:
        """What a Skip or a choice sets, or None when the press does not fit this step."""
        if step is None:
            return None
        if action == "skip" and step.skip is not None:
            return step.skip(draft)
        if action == "pick" and step.pick is not None:
            return step.pick(value, draft, turn)
        if action == "done" and step.done is not None:
            return step.done(draft)
        return None

    async def _cancel(self, message: Message, draft: D, turn: Turn, state: FSMContext) -> None:
        if not any(step.answered(draft) for step in self.steps):
            await state.clear()
            await message.answer(_("Cancelled: nothing was saved."))
            return
        keyboard = Keyboard()
        keyboard.button(text=_("🗑 Yes, delete my draft"),
                        callback_data=self._data("drop", draft.step))
        keyboard.button(text=_("↩ No, continue"), callback_data=self._data("keep", draft.step))
        keyboard.adjust(1)
        await message.answer(_("Cancel and delete your answers so far?"),
                             reply_markup=keyboard.as_markup())

    async def _confirm(self, query: CallbackQuery, message: Message, draft: D, turn: Turn,
                       state: FSMContext) -> None:
        if self.purpose is not None and await current_consent(
                turn, query.from_user.id, self.purpose) is None:
            await ask_consent(message, turn, self.purpose)  # withdrawn, or the notice changed
            return
        problems = self.check(draft, turn)
        if problems:
            await message.answer("⚠️ " + problems[0].message)
            await self.show(message, self._at(draft, problems[0].step, editing=True), turn, state)
            return
        await remove_buttons(message)
        await self.confirm(draft, query, message, turn, state)

    async def on_text(self, message: Message, turn: Turn, state: FSMContext,
                      form_data: dict[str, Any] | None) -> None:
        """Text typed at a step: validated and stored, or what to fix and the step again."""
        draft = self.load(form_data)
        if draft is None:
            await state.clear()
            await message.answer(_("I lost track of this form, sorry. Please start it again."))
            return
        step = self._steps.get(draft.step)
        if step is None or step.parse is None:
            hint = (_("Please use the buttons under the summary.") if draft.step == SUMMARY
                    else _("Please use the buttons for this step."))
            await message.answer(f"⚠️ {hint}")
            await self.show(message, draft, turn, state)
            return
        try:
            updates = step.parse(_clean(message.text or ""), draft, turn)
        except Invalid as problem:
            await message.answer(f"⚠️ {problem}")
            await self.show(message, draft, turn, state)
            return
        await self.accept(message, draft, step.name, updates, turn, state)

    async def on_location(self, message: Message, turn: Turn, state: FSMContext,
                          form_data: dict[str, Any] | None) -> None:
        draft = self.load(form_data)
        step = self._steps.get(draft.step) if draft else None
        if draft is None or step is None or step.pin is None or message.location is None:
            await self.on_other(message, turn, state, form_data)
            return
        updates = step.pin(message.location.latitude, message.location.longitude, draft, turn)
        await self.accept(message, draft, step.name, updates, turn, state)

    async def on_other(self, message: Message, turn: Turn, state: FSMContext,
                       form_data: dict[str, Any] | None) -> None:
        """A photo, sticker or pin where it does not fit: say so and ask again."""
        await message.answer(_("⚠️ I can't use that here."))
        draft = self.load(form_data)
        if draft is not None:
            await self.show(message, draft, turn, state)

    async def on_cancel_command(self, message: Message, turn: Turn, state: FSMContext,
                                form_data: dict[str, Any] | None) -> None:
        draft = self.load(form_data)
        if draft is None:
            await state.clear()
            await message.answer(_("Cancelled: nothing was saved."))
            return
        await self._cancel(message, draft, turn, state)

    def build_router(self) -> Router:
        router = Router(name=f"form:{self.name}")
        in_form = StateFilter(self.state)
        router.message.register(self.on_cancel_command, Command("cancel"), in_form)
        router.callback_query.register(self.on_button, FormCallback.filter(F.form == self.name))
        router.message.register(self.on_location, F.location, in_form)
        router.message.register(self.on_text, F.text, ~F.text.startswith("/"), in_form)
        router.message.register(self.on_other, in_form, ~F.text)
        return router


def _clean(text: str) -> str:
    """Control characters (a NUL breaks PostgreSQL) go; line breaks stay."""
    return "".join(c for c in text if c in "\n\t" or c >= " ").strip()
