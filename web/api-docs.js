// Starts Swagger UI (web/vendor/swagger-ui/) on /api/docs over kheo's OpenAPI document. A
// file of its own rather than an inline script, so that the page passes the server's
// Content-Security-Policy (script-src 'self'). No validator badge: it would call a server
// outside kheo.
/* global SwaggerUIBundle */
window.addEventListener('DOMContentLoaded', () => {
  // @ts-ignore: SwaggerUIBundle is the global of web/vendor/swagger-ui/swagger-ui-bundle.js
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    validatorUrl: null,
    deepLinking: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    // Requests from "Try it out" carry the session cookie; writes also need X-CSRF-Token.
    withCredentials: true,
  });
});
