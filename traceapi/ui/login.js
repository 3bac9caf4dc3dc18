'use strict';
// The server redirects a wrong token to /?login=failed.
if (new URLSearchParams(location.search).get('login') === 'failed') {
  document.getElementById('failed').hidden = false;
}
// Keep the address's fragment (a conversation and interaction to open) across the login:
// the redirect to / inherits it from the form's URL.
document.querySelector('form.login').action = '/login' + location.hash;
