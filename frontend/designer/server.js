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

// Publish a saved draft (both editors): already published → just say so; refused → show the server's findings.
// Resolves true when the version is published.
export async function publish(config, saved, comment, { say, showFindings }) {
  if (saved.version.status === 'published') {
    say(fill(config.messages.deployed, saved.version.number), 'success');
    return true;
  }
  const result = await post(config.deployUrl.replace('/0/', `/${saved.version.id}/`), { comment });
  if (!result.ok) {
    showFindings((result.body.errors && result.body.errors.findings) || []);
    say(result.body.detail || config.messages.error, 'danger');
    return false;
  }
  say(fill(config.messages.deployed, result.body.number), 'success');
  return true;
}

// Wrap a click handler so an unexpected failure is shown on the page instead of being lost in the console.
export function guard(fn, say, errorMessage) {
  return () => fn().catch((error) => say(`${errorMessage} ${error.message || error}`, 'danger'));
}

// The page's status line: one message at a time, coloured with a Bootstrap alert kind.
export function statusLine(element) {
  return (text, kind = 'info') => {
    element.className = `small mb-1 alert alert-${kind} py-1`;
    element.textContent = text;
  };
}

// A server finding (lint, validation) in the page's language.
export function findingText(config, finding) {
  return config.lang === 'en' ? finding.message_en : finding.message_vi;
}
