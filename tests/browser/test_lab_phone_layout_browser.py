"""Real browser, a phone (390 px): the convolution lab's picture stays on screen right above the
control being moved (pictures first, held at the top while the controls scroll beneath), and
the kernel chips wrap instead of cutting their names."""

from __future__ import annotations

import pytest

from tests.conftest import settled, wait_idle


def test_on_a_phone_the_picture_stays_above_the_control_being_moved(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/conv_lab?kernels=sobel-x,sobel-y,box-blur,custom")
        wait_idle(page)
        pictures = page.locator('[data-testid="stColumn"]:has(.st-key-lab_pictures)')
        padding = page.locator('[data-testid="stSlider"]').filter(has_text="Padding")
        padding.evaluate("(slider) => slider.closest('[data-testid=stElementContainer]').scrollIntoView()")
        settled(page)
        picture_box, slider_box = pictures.bounding_box(), padding.bounding_box()
        assert picture_box["y"] + picture_box["height"] <= slider_box["y"] + 1, "the picture is above the slider"
        assert picture_box["y"] < 844 and picture_box["y"] + picture_box["height"] > 100, "and on screen"
        chart = pictures.locator('[data-testid="stVegaLiteChart"]').first
        assert chart.bounding_box()["y"] < slider_box["y"], "a chart of the picture is in view above it"

        chips = page.locator('[class*="st-key-conv_kernels_"] [data-rac] [data-tag]')
        assert chips.count() == 4
        for index in range(4):
            chip = chips.nth(index)
            assert chip.is_visible() and chip.evaluate(
                "(chip) => { const box = chip.getBoundingClientRect(),"
                " field = chip.closest('[data-testid=stMultiSelect]').getBoundingClientRect();"
                " return box.left >= field.left - 1 && box.right <= field.right + 1; }"
            ), "every chip is inside the field, none scrolled out of sight"
            name = chip.locator("span").first
            assert name.evaluate("(span) => span.scrollWidth <= span.clientWidth + 1"), "no chip name is cut"
    finally:
        context.close()


@pytest.mark.parametrize("width", [1400, 1000, 390])
def test_the_kernel_fields_chips_and_buttons_stay_inside_its_border(browser, live_server, width):
    """The wrapping chips never push the field's clear and open buttons past its right border (at
    1400 px the open chevron sat on the border, half outside, while the chips took their own width)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    try:
        for kernels in ("sobel-x", "sobel-x,sobel-y,box-blur,custom"):
            page.goto(f"{live_server.url}/conv_lab?kernels={kernels}")
            wait_idle(page)
            outside = page.locator('[class*="st-key-conv_kernels_"] [data-testid="stMultiSelect"]').evaluate(
                "(field) => { const box = field.querySelector('[data-rac]').getBoundingClientRect();"
                " return [...field.querySelectorAll('button, [data-tag]')].map(e => e.getBoundingClientRect())"
                " .filter(r => r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1)).length; }")
            assert outside == 0, f"{outside} chips or buttons cross the field's border at {width} px ({kernels})"
    finally:
        context.close()
