"""A network guard for notebook kernels (fixture ``offline_env``).

Test modules do not import from here: tests/browser/ has a conftest.py of its own, and two modules
named ``conftest`` cannot both be imported by name.
"""
from __future__ import annotations

import os

import pytest

# Written as sitecustomize.py on a kernel's PYTHONPATH, so it runs before any notebook code. It
# refuses every connection and name lookup that is not loopback: a notebook that tries to download
# fails loudly in the tests instead of working on a laptop and breaking on Binder or behind a firewall.
OFFLINE_GUARD = '''
import ipaddress
import socket

class OfflineError(ConnectionRefusedError):
    """Raised by the mmviz test guard: notebooks must run without the network."""

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}

def _is_local(host):
    host = host.decode() if isinstance(host, bytes) else str(host)
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False

def _check(address, what):
    if isinstance(address, tuple) and address and not _is_local(address[0]):
        raise OfflineError(f"network access blocked by the mmviz offline guard: {what} {address!r}")

_connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
_getaddrinfo = socket.getaddrinfo

def connect(self, address):
    _check(address, "connect to")
    return _connect(self, address)

def connect_ex(self, address):
    _check(address, "connect to")
    return _connect_ex(self, address)

def sendto(self, data, *args):
    _check(args[-1], "send to")
    return _sendto(self, data, *args)

def getaddrinfo(host, *args, **kwargs):
    if host is not None:
        _check((host,), "look up")
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
socket.getaddrinfo = getaddrinfo
socket.OfflineError = OfflineError
'''


@pytest.fixture(scope="session")
def offline_env(tmp_path_factory):
    """Environment for a kernel whose Python refuses non-loopback network access."""
    folder = tmp_path_factory.mktemp("offline")
    (folder / "sitecustomize.py").write_text(OFFLINE_GUARD)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder), env.get("PYTHONPATH", "")) if p)
    return env
