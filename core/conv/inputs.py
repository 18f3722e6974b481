"""Inputs for the convolution lab, all made in code: images, an RGB picture, a 1D signal, a 3D
volume, uploads read with Pillow, kernel presets and upstream gradients.

Images are float64 in [0, 1]. Shapes follow core.conv: an input is (C_in, *S), a stack of
kernels (C_out, *K), a weight tensor (C_out, C_in, *K).
"""

from __future__ import annotations

import io
from typing import Sequence

import numpy as np

from core.messages import N_, _

IMAGE_NAMES = ("digit", "checkerboard", "circle", "gradient", "stripes")
UPSTREAM_KINDS = (N_("all ones"), N_("random"), N_("one-hot at the inspected cell"))  # values; shown as _(kind)


def builtin_image(name: str, size: int = 28) -> np.ndarray:
    """A grayscale test image, (size, size) in [0, 1]: one of IMAGE_NAMES."""
    rows, cols = np.mgrid[0:size, 0:size]
    # Pixel centres in [0, 1] so every picture keeps its proportions at any size.
    y, x = (rows + 0.5) / size, (cols + 0.5) / size
    if name == "checkerboard":
        squares = max(2, size // 4)
        return ((rows // squares + cols // squares) % 2).astype(float)
    if name == "circle":
        return _soft_step(0.32 - np.hypot(x - 0.5, y - 0.5), size)
    if name == "gradient":
        return x * 0.8 + y * 0.2
    if name == "stripes":
        return (np.sin(2 * np.pi * 4 * (x + y) / 2) > 0).astype(float)
    if name == "digit":
        return _digit_two(x, y, size)
    raise ValueError(f"unknown image {name!r}; choose one of {', '.join(IMAGE_NAMES)}")


def rgb_image(size: int = 32) -> np.ndarray:
    """A colour picture with three channels, (3, size, size) in [0, 1]: a red disc, a green
    square and a blue gradient sky, so each channel holds a different shape."""
    rows, cols = np.mgrid[0:size, 0:size]
    y, x = (rows + 0.5) / size, (cols + 0.5) / size
    red = _soft_step(0.22 - np.hypot(x - 0.35, y - 0.4), size)
    green = ((np.abs(x - 0.68) < 0.18) & (np.abs(y - 0.66) < 0.18)).astype(float)
    blue = np.clip(1.0 - y, 0, 1) * 0.8
    return np.stack([red, green, blue])


def signal_1d(length: int = 64, seed: int = 0) -> np.ndarray:
    """A 1D test signal, (length,): two periods of a sine, a step up in the middle, a little noise."""
    t = np.linspace(0.0, 1.0, length)
    noise = np.random.default_rng(seed).normal(scale=0.08, size=length)
    return np.sin(2 * np.pi * 2 * t) + (t >= 0.5) * 1.0 + noise


def volume_3d(size: int = 10) -> np.ndarray:
    """A small 3D volume, (size, size, size) in [0, 1]: a ball with a bright cube inside."""
    depth, rows, cols = np.mgrid[0:size, 0:size, 0:size]
    z, y, x = ((axis + 0.5) / size for axis in (depth, rows, cols))
    ball = _soft_step(0.4 - np.sqrt((x - 0.5) ** 2 + (y - 0.5) ** 2 + (z - 0.5) ** 2), size) * 0.5
    cube = (np.maximum(np.maximum(np.abs(x - 0.55), np.abs(y - 0.45)), np.abs(z - 0.5)) < 0.15) * 0.5
    return ball + cube


UPLOAD_SIDE = 64
"""Uploads are shrunk to at most this many pixels per side: every pixel stays a cell the lab can
draw, point at and explain (64 x 48 for a 4:3 photo, the size of the largest built-in input)."""
UPLOAD_PIXELS = 40_000_000
"""Images with more pixels than this are refused before they are decoded: a small file can claim
a huge canvas (a "decompression bomb") and take gigabytes to open."""
UPLOAD_BYTES = 20 * 1024 * 1024


def image_from_upload(data: bytes | None, *, max_side: int = UPLOAD_SIDE, colour: bool = False) -> np.ndarray:
    """Decode a PNG or JPEG with Pillow and shrink it to at most max_side pixels per side.

    Returns (1, H, W) grayscale or (3, H, W) RGB in [0, 1]. Raises ValueError with a sentence a
    student can act on when the file is empty, not a PNG or JPEG, damaged, or too large to open
    safely (more than UPLOAD_PIXELS pixels, checked from the header before decoding).
    """
    import warnings

    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ValueError(_("The file is empty (0 bytes). Choose a PNG or JPEG photo."))
    if len(data) > UPLOAD_BYTES:
        raise ValueError(_("The file is {size} MB; the lab reads images up to {limit} MB. Save a smaller copy and "
                           "try again.").format(size=f"{len(data) / 2**20:.0f}", limit=UPLOAD_BYTES // 2**20))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG", "JPEG"]) as image:
                width, height = image.size
                if width == 0 or height == 0:
                    raise ValueError(_("This image is {width}x{height} pixels: it has no pixels to convolve.").format(
                        width=width, height=height))
                if width * height > UPLOAD_PIXELS:
                    raise ValueError(_(
                        "This image claims {width}x{height} pixels ({millions} million), too many to open safely; "
                        "the lab opens up to {limit} million. Save a smaller copy and try again.").format(
                        width=width, height=height, millions=f"{width * height / 1e6:.0f}",
                        limit=UPLOAD_PIXELS // 1_000_000))
                image.draft("RGB" if colour else "L", (max_side, max_side))  # JPEG: decode at a reduced size
                image.thumbnail((max_side, max_side))
                pixels = np.asarray(image.convert("RGB" if colour else "L"), dtype=np.float64) / 255.0
    except UnidentifiedImageError:
        raise ValueError(_("This file is not a PNG or JPEG image. Choose a .png or .jpg photo.")) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(_("This image has too many pixels to open safely. Save a smaller copy and try again.")) \
            from None
    except (OSError, SyntaxError, EOFError):
        raise ValueError(_("This image file is damaged or cut short, so it cannot be read. "
                           "Try saving it again as PNG or JPEG.")) from None
    return pixels.transpose(2, 0, 1) if colour else pixels[None]


def kernel_presets(ndim: int) -> dict[str, np.ndarray]:
    """Named kernels for 1, 2 or 3 spatial axes, each shaped K (no channel axes). The English names
    are the values (session state, URL codes, records); the page shows them translated (`_(name)`)."""
    smooth, derivative = np.array([1.0, 2.0, 1.0]), np.array([-1.0, 0.0, 1.0])
    if ndim == 1:
        return {
            N_("identity"): np.array([0.0, 1.0, 0.0]),
            N_("box blur"): np.full(3, 1 / 3),
            N_("Gaussian"): smooth / 4,
            N_("sharpen"): np.array([-1.0, 3.0, -1.0]),
            N_("derivative"): derivative / 2,
            N_("Laplacian"): np.array([1.0, -2.0, 1.0]),
            N_("[1, -1] edge"): np.array([1.0, -1.0]),
        }
    if ndim == 2:
        sobel_x = np.outer(smooth, derivative)
        return {
            N_("identity"): np.pad([[1.0]], 1),
            N_("box blur"): np.full((3, 3), 1 / 9),
            N_("Gaussian"): np.outer(smooth, smooth) / 16,
            N_("sharpen"): np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
            N_("Sobel x"): sobel_x,
            N_("Sobel y"): sobel_x.T.copy(),
            N_("Laplacian"): np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),
            N_("emboss"): np.array([[-2.0, -1, 0], [-1, 1, 1], [0, 1, 2]]),
            N_("[1, -1] edge"): np.array([[1.0, -1.0]]),
        }
    if ndim == 3:
        laplacian = np.zeros((3, 3, 3))
        for axis in range(3):
            index = [1, 1, 1]
            for end in (0, 2):
                index[axis] = end
                laplacian[tuple(index)] = 1.0
        laplacian[1, 1, 1] = -6.0
        return {
            N_("identity"): np.pad([[[1.0]]], 1),
            N_("box blur"): np.full((3, 3, 3), 1 / 27),
            N_("Gaussian"): np.einsum("i,j,k->ijk", smooth, smooth, smooth) / 64,
            N_("Sobel z"): np.einsum("i,j,k->ijk", derivative, smooth, smooth),
            N_("Sobel y"): np.einsum("i,j,k->ijk", smooth, derivative, smooth),
            N_("Sobel x"): np.einsum("i,j,k->ijk", smooth, smooth, derivative),
            N_("Laplacian"): laplacian,
            N_("[1, -1] edge"): np.array([[[1.0, -1.0]]]),
        }
    raise ValueError(f"kernels exist for 1, 2 or 3 spatial axes, not {ndim}")


def stack_kernels(kernels: Sequence[np.ndarray]) -> tuple[np.ndarray, bool]:
    """Stack kernels of possibly different sizes into (C_out, *K_max).

    Smaller kernels are centred in zeros (the extra row/column goes after when the
    difference is odd), which leaves what they compute unchanged up to a shift and lets all
    output channels share one output size. Returns (stack, whether any kernel was padded).
    """
    if not kernels:
        raise ValueError("choose at least one kernel")
    arrays = [np.asarray(kernel, dtype=np.float64) for kernel in kernels]
    largest = tuple(max(sizes) for sizes in zip(*(array.shape for array in arrays), strict=False))
    padded = [
        np.pad(array, [((big - small) // 2, (big - small + 1) // 2)
                       for big, small in zip(largest, array.shape, strict=False)])
        for array in arrays
    ]
    return np.stack(padded), any(array.shape != largest for array in arrays)


def weights_for(kernels: np.ndarray, c_in: int) -> np.ndarray:
    """Give every kernel (C_out, *K) one slice per input channel: (C_out, C_in, *K).

    Each output channel applies its kernel to every input channel and adds the C_in partial
    results, as the lecture's multi-channel convolution does.
    """
    return np.repeat(kernels[:, None], c_in, axis=1)


def upstream_gradient(kind: str, shape: tuple[int, ...], cell: tuple[int, ...] | None = None,
                      seed: int = 0) -> np.ndarray:
    """dL/d(out) for the backward pass, shaped like the output (C_out, *O).

    kind: "all ones" (L = sum of outputs), "random" (standard normal, seeded) or
    "one-hot at the inspected cell" (1 at `cell` = (channel, *position), else 0).
    """
    if kind == UPSTREAM_KINDS[0]:
        return np.ones(shape)
    if kind == UPSTREAM_KINDS[1]:
        return np.random.default_rng(seed).standard_normal(shape)
    if kind == UPSTREAM_KINDS[2]:
        if cell is None or len(cell) != len(shape):
            raise ValueError(f"a one-hot gradient needs a cell with {len(shape)} indices")
        grad = np.zeros(shape)
        grad[tuple(cell)] = 1.0
        return grad
    raise ValueError(f"unknown upstream gradient {kind!r}; choose one of {', '.join(UPSTREAM_KINDS)}")


def _soft_step(signed_distance: np.ndarray, size: int) -> np.ndarray:
    """1 inside (distance > 0), 0 outside, with a one-pixel ramp so edges are anti-aliased."""
    return np.clip(signed_distance * size + 0.5, 0.0, 1.0)


def _digit_two(x: np.ndarray, y: np.ndarray, size: int) -> np.ndarray:
    """A handwritten-looking "2": an arc, a diagonal and a base line, drawn as thick strokes."""
    angles = np.linspace(np.pi * 1.05, np.pi * 2.2, 24)
    arc = np.stack([0.5 + 0.2 * np.cos(angles), 0.36 + 0.18 * np.sin(angles)], axis=1)
    stroke = np.concatenate([arc, [[0.27, 0.8], [0.75, 0.8]]])       # (points, 2) as (x, y)
    starts, ends = stroke[:-1], stroke[1:]
    pixels = np.stack([x.ravel(), y.ravel()], axis=1)                # (P, 2)
    segment = ends - starts                                          # (S, 2)
    along = np.clip(
        np.einsum("psd,sd->ps", pixels[:, None] - starts[None], segment) / np.sum(segment**2, axis=1), 0, 1
    )
    closest = starts[None] + along[..., None] * segment[None]        # (P, S, 2)
    distance = np.min(np.linalg.norm(pixels[:, None] - closest, axis=2), axis=1)
    return _soft_step(0.07 - distance, size).reshape(x.shape)
