// Same-origin GETs to the stats API; the admin session cookie authorises them.

export class ApiError extends Error {
  constructor(status, message, fields) {
    super(message);
    this.status = status;
    this.fields = fields || {};
  }
}

export function withQuery(url, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, value);
  }
  return `${url}?${query}`;
}

export async function getJson(url, params) {
  const response = await fetch(withQuery(url, params), {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  });
  if (response.status === 401) {
    // The session ended (expiry, sign-out elsewhere, token revoked): back to the sign-in form.
    window.location.reload();
    throw new ApiError(401, 'Your session has ended.');
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body && body.error) || {};
    throw new ApiError(response.status, error.message || `The server answered ${response.status}.`,
      error.fields);
  }
  return body;
}
