// Mark the page as JavaScript-enabled and start GOV.UK Frontend components
// (Exit this page, error summary, radios, service navigation...).
// Kept in a file: the Content-Security-Policy allows no inline script.
(function () {
  'use strict'
  var body = document.body
  body.classList.add('js-enabled')
  if ('noModule' in HTMLScriptElement.prototype) {
    body.classList.add('govuk-frontend-supported')
  }
  if (window.GOVUKFrontend && window.GOVUKFrontend.isSupported()) {
    window.GOVUKFrontend.initAll()
  }
})()
