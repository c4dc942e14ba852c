// Shared by the BPMN and DMN editor pages: JSON POSTs to the server with the page's CSRF token.
const csrf = document.querySelector('meta[name="csrf-token"]').content;

export async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf },
    body: JSON.stringify(body),
  });
  return { ok: response.ok, body: await response.json().catch(() => ({})) };
}

// Messages carry a `{n}` placeholder for the version number.
export function fill(template, number) {
  return template.replace('{n}', number);
}
