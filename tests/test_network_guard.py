import os
import socket

import pytest


def test_it_refuses_connections_beyond_loopback(network_guard):
    with pytest.raises(network_guard):
        socket.create_connection(("93.184.215.14", 443), timeout=1)


def test_it_keeps_the_hub_offline():
    assert os.environ["HF_HUB_OFFLINE"] == "1"
