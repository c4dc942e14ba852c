// Counter intake: OCR a scanned ID card and PROPOSE its number, name and birth date. The receiver compares them
// with the card and clicks "use" to copy them into the form: nothing is filled in silently.
(function () {
  const box = document.getElementById("id-scan");
  if (!box) return;
  const input = box.querySelector("input[type=file]");
  const result = box.querySelector(".id-scan-result");
  const token = document.querySelector('meta[name="csrf-token"]').content;
  let proposal = null;

  input.addEventListener("change", async () => {
    if (!input.files.length) return;
    result.textContent = box.dataset.reading;
    const body = new FormData();
    body.append("file", input.files[0]);
    const response = await fetch(box.dataset.url, {method: "POST", body, headers: {"X-CSRFToken": token}});
    const answer = await response.json().catch(() => ({}));
    if (!response.ok || !answer.proposal) {
      result.textContent = box.dataset.failed;
      return;
    }
    proposal = answer.proposal;
    result.replaceChildren();
    const list = document.createElement("dl");
    list.className = "small mb-1";
    for (const [key, label] of [["id_number", box.dataset.labelId], ["name", box.dataset.labelName],
                                ["birth_date", box.dataset.labelBirth]]) {
      const dt = document.createElement("dt"); dt.textContent = label;
      const dd = document.createElement("dd"); dd.textContent = proposal[key] || "—"; dd.dataset.key = key;
      list.append(dt, dd);
    }
    const use = document.createElement("button");
    use.type = "button"; use.className = "btn btn-sm btn-outline-success"; use.id = "id-scan-use";
    use.textContent = box.dataset.use;
    use.addEventListener("click", () => {
      if (proposal.id_number) document.getElementById("id_number").value = proposal.id_number;
      if (proposal.name) document.getElementById("name").value = proposal.name;
    });
    result.append(list, use);
  });
})();
