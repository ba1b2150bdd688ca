// Starts Swagger UI on /api/v1/docs (workflow/api/docs.py). A file, not an inline script, so the
// site's CSP (script-src 'self') applies unchanged. The spec URL and, for a signed-in browser, the
// CSRF token come from <meta> tags; the token is sent as X-CSRFToken on unsafe requests that carry
// no bearer token (a token request needs no CSRF).
(function () {
  "use strict";
  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  }
  window.addEventListener("DOMContentLoaded", function () {
    var csrf = meta("jejak-csrf");
    window.ui = window.SwaggerUIBundle({
      url: meta("jejak-openapi"),
      dom_id: "#swagger-ui",
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      deepLinking: true,
      validatorUrl: null,
      requestInterceptor: function (req) {
        var method = (req.method || "GET").toUpperCase();
        var hasToken = req.headers && (req.headers.Authorization || req.headers.authorization);
        if (csrf && !hasToken && ["GET", "HEAD", "OPTIONS"].indexOf(method) === -1) {
          req.headers["X-CSRFToken"] = csrf;
        }
        return req;
      }
    });
  });
})();
