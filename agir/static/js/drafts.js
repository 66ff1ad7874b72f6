/* Nothing typed is lost (issue 13).
   1. Drafts. The fields of every form marked data-agir-draft are kept in this tab's sessionStorage as they are
      typed (never a password, never a CSRF token). When the session ends meanwhile, the login page marks the
      drafts as awaiting; after signing in again (the login redirects to `next`, the form's page), the draft of
      this page's form is put back, its section opened, and « Votre saisie a été restaurée » is said (role=status,
      focus). A draft whose form was sent is forgotten on the next page (saved, or shown again by the server with
      its values and errors); signing out forgets every draft; a draft is never restored for another account.
   2. Error summary. A page showing a form's errors moves the focus to their summary (links to the fields). */
(function () {
  "use strict";
  var KEY = "agir-drafts";
  var session = document.getElementById("agir-session");  // present when signed in (templates/base.html)
  var user = session ? session.getAttribute("data-user") : null;

  function load() {
    try { return JSON.parse(window.sessionStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function store(drafts) {
    try {
      if (Object.keys(drafts).length) { window.sessionStorage.setItem(KEY, JSON.stringify(drafts)); }
      else { window.sessionStorage.removeItem(KEY); }
    } catch (e) { /* storage full or refused: nothing to keep */ }
  }

  function formKey(form) {
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    return window.location.pathname + window.location.search + "|" + action.pathname;
  }

  function kept(el) {
    if (!el.name || el.disabled || el.name === "csrf_token" || /(^|-)csrf_token$/.test(el.name)) { return false; }
    var type = (el.type || "").toLowerCase();
    return ["password", "file", "submit", "button", "reset", "image"].indexOf(type) === -1;
  }

  function fieldsOf(form) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) { return; }
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        out.push({name: el.name, value: el.value, checked: el.checked});
      } else if (el.tagName === "SELECT" && el.multiple) {
        out.push({name: el.name, values: Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; })});
      } else {
        out.push({name: el.name, value: el.value});
      }
    });
    return out;
  }

  function restore(form, fields) {
    fields.forEach(function (f) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== f.name || !kept(el)) { return; }
        var type = (el.type || "").toLowerCase();
        if (type === "checkbox" || type === "radio") {
          if (el.value === f.value) { el.checked = !!f.checked; }
        } else if (f.values) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = f.values.indexOf(o.value) !== -1; });
        } else {
          if (type === "date" && f.value && !/^\d{4}-\d{2}-\d{2}$/.test(f.value)) { el.type = "text"; }
          el.value = f.value;
        }
        el.dispatchEvent(new Event("input", {bubbles: true}));
        el.dispatchEvent(new Event("change", {bubbles: true}));
      });
    });
    for (var node = form.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }  // a form folded in the file's sections
    }
  }

  // The session ended: what was typed waits for the next sign-in in this tab (login page, or the
  // « Se reconnecter » link of session.js).
  function awaitLogin() {
    var all = load();
    Object.keys(all).forEach(function (k) { all[k].state = "awaiting"; });
    store(all);
  }
  window.agirDraftsAwaitLogin = awaitLogin;

  var drafts = load();
  if (!user) {
    if (document.querySelector("form[data-agir-login]")) { awaitLogin(); }
    return;
  }

  var restored = null;
  var forms = document.querySelectorAll("form[data-agir-draft]");
  var here = {};
  Array.prototype.forEach.call(forms, function (form) { here[formKey(form)] = form; });

  Object.keys(drafts).forEach(function (k) {
    var draft = drafts[k];
    if (draft.user !== user) { delete drafts[k]; return; }  // never someone else's typing
    if (draft.state === "awaiting") {
      if (here[k]) {
        restore(here[k], draft.fields || []);
        draft.state = "typing";
        restored = restored || here[k];
      }
      return;  // kept until its page is opened again, or sign-out
    }
    delete drafts[k];  // sent (saved, or shown again by the server), or left without a sign-in in between
  });
  store(drafts);

  Array.prototype.forEach.call(forms, function (form) {
    var key = formKey(form);
    function save() {
      var all = load();
      all[key] = {user: user, state: "typing", fields: fieldsOf(form)};
      store(all);
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      var all = load();
      all[key] = {user: user, state: "submitted", fields: fieldsOf(form)};
      store(all);
    });
  });

  // Signing out forgets every draft of the tab.
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    if (/\/logout$/.test(action.pathname)) {
      form.addEventListener("submit", function () { store({}); });
    }
  });

  var model = document.getElementById("agir-draft-restored-template");
  var notice = model ? model.content.firstElementChild.cloneNode(true) : null;
  if (restored && notice) {
    if (restored.parentNode && !restored.closest("details")) {
      restored.parentNode.insertBefore(notice, restored);
    } else {
      var section = restored.closest("details");
      section.parentNode.insertBefore(notice, section);
    }
    notice.focus();
    return;
  }

  var summary = document.querySelector(".agir-error-box");
  if (summary) { summary.focus(); }
}());
