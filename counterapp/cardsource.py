"""Where the card comes from: a PC/SC reader or the built-in emulator."""

from __future__ import annotations

from dataclasses import dataclass

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.scenarios import SCENARIOS, build_profile
from cardreader.sessions import MyNumberCard
from counterapp.settings import Settings


class SourceError(ValueError):
    """Both or neither of reader and emulator were asked for in a way that cannot work."""

    message_key = "usage.source"


@dataclass(frozen=True)
class CardSource:
    """A reader name, or an emulator scenario (exactly one is set)."""

    reader: str | None = None
    scenario: str | None = None
    latency_ms: int = 0  # the emulator's delay per APDU

    @property
    def is_emulator(self) -> bool:
        return self.reader is None

    def describe(self) -> str:
        return f"reader {self.reader}" if self.reader else f"emulator ({self.scenario})"


def resolve_source(settings: Settings, reader: str | None, simulate: str | None) -> CardSource:
    """Command-line choice first, then the settings; the emulator when nothing is configured."""
    if reader and simulate:
        raise SourceError("use either --reader or --simulate, not both")
    latency = settings.emulator_latency_ms
    scenario = simulate or (None if reader or settings.reader else settings.scenario)
    if scenario is not None and scenario not in SCENARIOS:
        raise SourceError(f"unknown scenario {scenario!r} (see 'counterapp simulate list')")
    if simulate:
        return CardSource(scenario=simulate, latency_ms=latency)
    if reader or settings.reader:
        return CardSource(reader=reader or settings.reader)
    return CardSource(scenario=settings.scenario, latency_ms=latency)


def emulated_card(source: CardSource) -> VirtualCard:
    """The emulator's card for ``source``: keep it to keep its PIN counters between reads."""
    assert source.scenario is not None
    return VirtualCard(build_profile(source.scenario))


def open_card(source: CardSource, emulated: VirtualCard | None = None) -> MyNumberCard:
    """Connect to the card; the PC/SC module is imported only when a reader is used.

    For the emulator, ``emulated`` is the card on the virtual reader (a fresh one if None).
    """
    if source.reader is not None:
        from cardreader.pcsc import PcscConnection

        return MyNumberCard(PcscConnection.open(source.reader))
    card = emulated or emulated_card(source)
    return MyNumberCard(EmulatorConnection(card, latency=source.latency_ms / 1000))
