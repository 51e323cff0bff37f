"""The HTML view of tensors: formatter install/uninstall, contents, PNG pixels, on/off switch."""

import base64
import re
import struct
import zlib

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display
from IPython.utils.capture import capture_output

import jtorch
import jtorch.nn as nn
import jtorch_ext
from jtorch_ext.display import NAN_RGB, heatmap_png, tensor_html


@pytest.fixture
def ip():
    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("jtorch_ext")
    yield shell
    shell.extension_manager.unload_extension("jtorch_ext")
    jtorch_ext.set_rich_display(True)


def formats(ip, obj) -> dict:
    return ip.display_formatter.format(obj)[0]


def decode_png(data: bytes) -> np.ndarray:
    """(H, W, 3) pixels of an 8-bit RGB PNG without filters (what display.py writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        tag, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n : pos + 12 + n])
        assert crc == zlib.crc32(tag + body)
        if tag == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif tag == b"IDAT":
            idat += body
        pos += 12 + n
    w, h = size
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + 3 * w)
    assert not rows[:, 0].any()
    return rows[:, 1:].reshape(h, w, 3)


def images(html: str) -> list[np.ndarray]:
    return [decode_png(base64.b64decode(m)) for m in re.findall(r"base64,([^\"]+)", html)]


def test_text_plain_stays_torch_repr_and_html_is_added(ip):
    t = jtorch.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    data = formats(ip, t)
    assert data["text/plain"] == repr(t)
    html = data["text/html"]
    assert "tensor[2, 2] float32 cpu n=4 (16 B) x∈[-2, 4] μ=1.5" in html
    assert html.count("<td") == 4 and ">-2</td>" in html
    assert "<details><summary>repr</summary>" in html and "requires_grad=True" in html
    p = nn.Parameter(jtorch.ones(3))
    assert formats(ip, p)["text/plain"] == repr(p)
    assert "parameter[3]" in formats(ip, p)["text/html"]


def test_display_publishes_html(ip):
    with capture_output() as cap:
        display(jtorch.zeros(2, 3))
    (out,) = cap.outputs
    assert set(out.data) == {"text/plain", "text/html"}
    assert out.data["text/plain"] == repr(jtorch.zeros(2, 3))


def test_switch_off_and_on(ip, capsys):
    t = jtorch.ones(2)
    ip.run_line_magic("jtorch_display", "off")
    assert set(formats(ip, t)) == {"text/plain"}
    ip.run_line_magic("jtorch_display", "")
    assert capsys.readouterr().out == "jtorch rich display is off\n"
    ip.run_line_magic("jtorch_display", "on")
    assert "text/html" in formats(ip, t)
    jtorch_ext.set_rich_display(False)
    assert "text/html" not in formats(ip, t)
    jtorch_ext.set_rich_display(True)
    assert jtorch_ext.rich_display_enabled()
    with pytest.raises(UsageError, match="expected 'on' or 'off', got 'maybe'"):
        ip.run_line_magic("jtorch_display", "maybe")


def test_unload_restores_previous_formatter():
    shell = InteractiveShell.instance()
    html = shell.display_formatter.formatters["text/html"]

    def mine(t):
        return "<b>mine</b>"

    html.for_type(jtorch.Tensor, mine)
    try:
        shell.extension_manager.load_extension("jtorch_ext")
        assert "jtorch-tensor" in formats(shell, jtorch.ones(1))["text/html"]
        shell.extension_manager.unload_extension("jtorch_ext")
        assert html.type_printers[jtorch.Tensor] is mine
    finally:
        html.pop(jtorch.Tensor)


def test_heat_map_pixels():
    a = np.arange(40 * 30, dtype=np.float32).reshape(40, 30)
    a[0, 0] = np.nan
    (img,) = images(tensor_html(jtorch.from_numpy(a)))
    assert img.shape == (40, 30, 3)
    assert tuple(img[0, 0]) == NAN_RGB
    assert tuple(img[-1, -1]) == (253, 231, 37)  # the maximum: top of viridis
    assert tuple(img[0, 1]) == (68, 1, 84)  # the minimum: bottom of viridis
    signed = np.linspace(-1, 1, 21 * 21).reshape(21, 21)
    (img,) = images(tensor_html(jtorch.from_numpy(signed)))
    assert tuple(img[10, 10]) == (221, 221, 221)  # zero is the white middle of coolwarm
    assert tuple(img[0, 0]) == (59, 76, 192) and tuple(img[-1, -1]) == (180, 4, 38)


def test_large_matrix_is_strided():
    (img,) = images(tensor_html(jtorch.zeros(1000, 300)))
    assert img.shape == (250, 150, 3)
    assert decode_png(heatmap_png(np.ones((3, 2)))).shape == (3, 2, 3)


def test_images_and_slices():
    rgb = np.zeros((3, 16, 16), np.float32)
    rgb[0] = 1.0  # pure red in [0, 1]
    (img,) = images(tensor_html(jtorch.from_numpy(rgb)))
    assert tuple(img[5, 5]) == (255, 0, 0)
    batch = images(tensor_html(jtorch.rand(10, 3, 8, 8)))
    assert len(batch) == 8
    assert "... 2 more" in tensor_html(jtorch.rand(10, 3, 8, 8))
    gray = tensor_html(jtorch.rand(1, 8, 8))
    assert len(images(gray)) == 1 and 'title="image 0"' in gray
    feature_maps = tensor_html(jtorch.rand(2, 4, 10, 10))  # 4 channels: slices, not RGBA
    assert len(images(feature_maps)) == 8 and 'title="[1, 3]"' in feature_maps
    slices = tensor_html(jtorch.rand(2, 5, 20, 20))
    assert len(images(slices)) == 8 and 'title="[0, 1]"' in slices and "2 more slices" in slices


def test_small_and_odd_tensors():
    assert "<table" in tensor_html(jtorch.arange(5))
    assert "<table" not in tensor_html(jtorch.zeros(100)) and "<img" not in tensor_html(
        jtorch.zeros(100)
    )
    assert "tensor[] float32" in tensor_html(jtorch.tensor(2.5))
    assert ">True</td>" in tensor_html(jtorch.tensor([True, False]))
    assert "tensor[0, 3]" in tensor_html(jtorch.zeros(0, 3))
    assert "&lt;" not in tensor_html(jtorch.ones(1)).split("<details>")[0]
