"""Pytest plugin: the test run may talk to loopback only.

Any connection to another address fails loudly, so a test (or a library it
drives) that tries to fetch model weights or reach any outside service cannot
pass by accident. Loaded through `-p tests.network_guard` in pyproject.toml.
"""

import ipaddress
import socket

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlocked(OSError):
    pass


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guard(real):
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
            raise NetworkBlocked(f"tests may not reach the network (tried {address!r})")
        return real(self, address)

    return connect


def pytest_configure(config):
    socket.socket.connect = _guard(_real_connect)
    socket.socket.connect_ex = _guard(_real_connect_ex)


@pytest.fixture
def network_guard():
    return NetworkBlocked
