def test_probe(sessions):
    page = sessions("designer").page
    page.goto("/designer/decisions/construction_fee/edit")
    page.wait_for_selector("body[data-decision-ready='true']")
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.wait_for_selector("#decision-status.alert")
    print("STATUS", page.locator("#decision-status").inner_text())
    page.get_by_label("Tổng diện tích sàn (m²)").fill("100")
    page.get_by_label("Khu vực (do_thi: đô thị / nong_thon: nông thôn)").fill("do_thi")
    page.get_by_role("button", name="Tính").click()
    page.wait_for_selector(".decision-output")
    page.screenshot(path="/tmp/dmn_work/editor.png", full_page=True)
