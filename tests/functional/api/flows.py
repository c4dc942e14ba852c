"""HTTP-only building blocks shared by the API tests and the end-to-end scenario."""
from __future__ import annotations

from tests.factories.dossiers import form_data as sample_form_data

# Who works each step of a work-permit dossier received at the provincial center.
WORK_PERMIT_OFFICIALS = {"intake": "tiepnhan", "appraisal": "chuyenvien.snv", "approval": "lanhdao.snv",
                         "stamping": "vanthu.snv", "return": "tiepnhan"}
# Realistic values for the patterned fields (the sampler's would match the pattern, not look real).
PATTERNED = {"passport_number": "B1234567", "employer_tax_code": "0101234567", "applicant_phone": "0912345678",
             "applicant_id_number": "038090001234", "applicant_email": "an@example.vn"}


def form_data(form_key: str | None, decision: str = "approve") -> dict:
    """Valid data for a task form (the form schemas in forms/ are the contract portals read too)."""
    data = sample_form_data(form_key, decision, seed=7)
    return {**data, **{key: value for key, value in PATTERNED.items() if key in data}}


def submission(api, procedure_code: str = "1.014199", *, agency: str = "H38.TTPVHCC", channel: str = "online",
               **overrides) -> dict:
    procedure = api.get(f"/procedures/{procedure_code}").get_json()
    return {"procedure_code": procedure_code, "agency": agency, "channel": channel, "return_method": "online",
            "applicant": {"name": "Nguyễn Văn An", "id_number": "038090001234", "phone": "0912345678"},
            "received_documents": [d["id"] for d in procedure["documents"]],
            "form_data": form_data(f"{procedure_process(procedure_code)}/intake"), **overrides}


def procedure_process(procedure_code: str) -> str:
    return {"1.014199": "work_permit", "1.000775": "commendation", "1.001193": "birth_registration"}[procedure_code]


def submit(api, user: str, **kwargs) -> dict:
    response = api.post("/dossiers", submission(api, **kwargs), user=user)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def queued_task(api, user: str, code: str, scope: str = "queue") -> dict:
    tasks = api.get(f"/tasks?scope={scope}&q={code}", user=user).get_json()["items"]
    mine = [t for t in tasks if t["dossier_code"] == code]
    assert mine, f"no {scope} task of {code} for {user}"
    return mine[0]


def work_step(api, user: str, code: str, decision: str = "approve", **extra) -> dict:
    """Claim and complete the dossier's task waiting in `user`'s queue."""
    task = queued_task(api, user, code)
    assert api.post(f"/tasks/{task['id']}/claim", user=user).status_code == 200
    body = {"data": form_data(task["form_key"], decision), **extra}
    response = api.post(f"/tasks/{task['id']}/complete", body, user=user)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()
