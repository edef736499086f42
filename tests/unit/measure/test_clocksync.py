"""Clock offsets: round trips to a reference server over TCP, chrony's tracking state."""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence

import pytest

from une_eval.errors import SensorError
from une_eval.measure.clocksync import (
    ClockOffset,
    ClockReferenceServer,
    ClockSample,
    measure_offset,
    measure_round_trips,
    parse_address,
    parse_chrony_tracking,
    round_trip_sample,
)


def test_round_trip_arithmetic_recovers_an_offset_whatever_the_delays() -> None:
    # The node is 250 ms ahead; 3 ms out, 1 ms processing, 7 ms back.
    ref0 = 1_000_000_000_000
    t0 = ref0 + 250_000_000
    t1 = ref0 + 3_000_000
    t2 = t1 + 1_000_000
    t3 = t2 + 7_000_000 + 250_000_000
    sample = round_trip_sample(t0, t1, t2, t3)
    assert sample.uncertainty_s == pytest.approx(0.005)
    assert abs(sample.offset_s - 0.25) <= sample.uncertainty_s
    assert sample.offset_s == pytest.approx(0.252)  # (7 - 3) / 2 ms of bias from asymmetric delays, within the bound


@pytest.mark.parametrize("injected_ms", [0.0, 120.0, -380.0, 900.0])
def test_offsets_measured_against_a_reference_on_localhost(injected_ms: float) -> None:
    with ClockReferenceServer() as server:
        host, port = server.address
        offset = measure_offset(f"{host}:{port}", lambda: time.time_ns() + int(injected_ms * 1e6))
    assert offset.method == "round-trip"
    assert offset.offset_s is not None
    assert offset.uncertainty_s is not None
    assert offset.uncertainty_s < 0.05
    assert abs(offset.offset_s - injected_ms / 1000) <= offset.uncertainty_s + 1e-6


def test_samples_combine_into_one_range() -> None:
    first = ClockOffset("round-trip", "h:1", (ClockSample(0, 0.010, 0.001),))
    both = first.with_sample(ClockSample(10, 0.030, 0.002))
    assert both.offset_s == pytest.approx(0.0205)
    assert both.uncertainty_s == pytest.approx(0.0115)
    assert ClockOffset("none", "none").offset_s is None


def test_the_server_answers_nothing_but_requests() -> None:
    with ClockReferenceServer() as server:
        with socket.create_connection(server.address, timeout=5) as conn:
            conn.sendall(b"GET / HTTP/1.0\r\n\r\n")
            conn.settimeout(5)
            assert conn.recv(100) == b""  # closed without an answer
        # It still serves a well-behaved client afterwards.
        assert measure_round_trips(server.address, time.time_ns).uncertainty_s < 0.05


def test_an_unreachable_reference_is_a_sensor_error() -> None:
    with ClockReferenceServer() as server:
        address = server.address
    with pytest.raises(SensorError, match="cannot reach"):
        measure_round_trips(address, time.time_ns, timeout_s=1)


@pytest.mark.parametrize("text", ["host", "host:0", "host:99999", ":80", "host:x"])
def test_addresses(text: str) -> None:
    if text == "host":
        assert parse_address(text) == ("host", 7807)
    else:
        with pytest.raises(SensorError):
            parse_address(text)
    assert parse_address("[::1]:9") == ("::1", 9)


CHRONY = "C0A80001,ntp1.example.org,2,1795000000.5,{corr},0.0000001,0.00002,-1.5,0.0,0.02,{delay},{disp},64.2,{leap}\n"


def test_chrony_tracking_gives_the_offset_and_its_bound() -> None:
    reference, sample = parse_chrony_tracking(
        CHRONY.format(corr="0.003", delay="0.010", disp="0.002", leap="Normal"), 5
    )
    assert "ntp1.example.org" in reference
    assert sample.offset_s == pytest.approx(-0.003)  # 3 ms slow: behind the reference
    assert sample.uncertainty_s == pytest.approx(0.007)
    assert sample.at_unix_ns == 5


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "no tracking line"),
        (CHRONY.format(corr="x", delay="0.01", disp="0.002", leap="Normal"), "not numbers"),
        (CHRONY.format(corr="nan", delay="0.01", disp="0.002", leap="Normal"), "out of range"),
        (CHRONY.format(corr="0.1", delay="-1", disp="0.002", leap="Normal"), "out of range"),
        (CHRONY.format(corr="0.1", delay="0.01", disp="0.002", leap="Not synchronised"), "not synchronised"),
    ],
)
def test_chrony_refusals(text: str, match: str) -> None:
    with pytest.raises(SensorError, match=match):
        parse_chrony_tracking(text, 0)


def test_measure_offset_through_chrony_and_none() -> None:
    calls: list[Sequence[str]] = []

    def run(command: Sequence[str]) -> str:
        calls.append(command)
        return CHRONY.format(corr="-0.2", delay="0.0", disp="0.001", leap="Normal")

    offset = measure_offset("chrony", lambda: 7, run=run)
    assert calls == [["chronyc", "-c", "tracking"]]
    assert offset.method == "chrony"
    assert offset.offset_s == pytest.approx(0.2)
    none = measure_offset("none", lambda: 7)
    assert none.method == "none"
    assert none.reason
    assert none.offset_s is None
