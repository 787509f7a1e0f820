"""What a provider's runner returns (SPEC §1.4 provider interface)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutputItem:
    relpath: str  # must start with "outputs/"
    bytes_: bytes
    meta: dict = field(default_factory=dict)  # provider notes; never written or indexed


@dataclass
class ProcessorResult:
    outputs: list
    processor_info: str
    usage: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
