"""What a provider's runner returns (docs/contracts/processor.md, provider interface)."""

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
