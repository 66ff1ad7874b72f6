/* The social worker's pages: live eligibility verdict, fields shown only when they apply,
 * confirmations and printing. Progressive enhancement: every form works without this file.
 * No inline script (CSP): data comes from data- attributes. */
(function () {
  "use strict";

  var BPI = ["refugee", "subsidiary_protection", "stateless"];
  var WITH_EVENT_ID = ["sport_event", "cultural_event"];

  function byName(form, suffix) {
    // Fields may carry a prefix ("enrol-start", "right-rsa-state"): match on the end of the name.
    return form.querySelector('[name="' + suffix + '"]') || form.querySelector('[name$="-' + suffix + '"]');
  }

  function toggle(block, visible) {
    if (!block) return;
    block.hidden = !visible;
    block.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !visible; });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  /* ---- Eligibility verdict, as dates are typed ---- */
  function renderVerdict(target, data) {
    target.textContent = "";
    if (!data.complete) {
      target.appendChild(el("p", "fr-text--sm agir-muted", data.message));
      return;
    }
    var box = el("div", "fr-alert fr-alert--sm agir-verdict-box " + (data.eligible ? "fr-alert--success" : "fr-alert--error"));
    var title = el("h3", "fr-alert__title", data.eligible ? agirT("Éligible à {kind}", {kind: data.kind_label}) : agirT("Non éligible au {date}", {date: data.on_fr}));
    box.appendChild(title);
    if (data.eligible) {
      box.appendChild(el("p", null, agirT("Verdict au {date}.", {date: data.on_fr})));
      if (data.priority) {
        var p = el("p");
        p.appendChild(el("strong", null, agirT("Public prioritaire")));
        p.appendChild(document.createTextNode(agirT(" : protection obtenue il y a moins de 12 mois.")));
        box.appendChild(p);
      }
      if (data.agir_until_fr) box.appendChild(el("p", null, agirT("Entrée en AGIR possible jusqu’au {date}.", {date: data.agir_until_fr})));
    } else {
      var list = el("ul");
      data.reasons.forEach(function (r) { list.appendChild(el("li", null, r)); });
      box.appendChild(list);
    }
    data.warnings.forEach(function (w) { box.appendChild(el("p", "agir-warning-text", agirT("Attention : {text}", {text: w}))); });
    if (data.referral_window === false) {
      box.appendChild(el("p", "agir-warning-text", agirT("Plus de cinq ans depuis la protection ou le premier titre : les programmes spécialisés ne sont en principe plus ouverts.")));
    }
    target.appendChild(box);
  }

  function setupEligibility(panel) {
    var form = document.querySelector("[data-eligibility-form]");
    var target = document.getElementById("eligibility-verdict");
    if (!form || !target) return;
    var onInput = panel.dataset.onInput ? document.getElementById(panel.dataset.onInput) : null;
    var endInput = panel.dataset.endInput ? document.getElementById(panel.dataset.endInput) : null;
    var bounds = document.getElementById("enrol-bounds");
    var timer = null;
    var lastQuery = null;

    if (endInput) endInput.addEventListener("input", function () { endInput.dataset.touched = "1"; });

    function value(suffix, dataKey) {
      var field = byName(form, suffix);
      if (field) return field.value;
      return panel.dataset[dataKey] || "";
    }

    function refresh() {
      var params = new URLSearchParams({
        status: value("status", "status"),
        protection_on: value("protection_on", "protectionOn"),
        first_permit_on: value("first_permit_on", "firstPermitOn"),
        prior_programme: value("prior_programme", "priorProgramme"),
        on: onInput ? onInput.value : ""
      });
      var query = params.toString();
      if (query === lastQuery) return;
      lastQuery = query;
      fetch(panel.dataset.eligibilityUrl + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          renderVerdict(target, data);
          if (data.complete && endInput && onInput && onInput.value) {
            if (!endInput.dataset.touched) endInput.value = data.planned_end;
            endInput.min = data.min_end;
            endInput.max = data.max_end;
            if (bounds) bounds.textContent = agirT("Fin prévue entre le {min} et le {max} (proposée : {planned}, 12 mois).",
              {min: data.min_end_fr, max: data.max_end_fr, planned: data.planned_end_fr});
          }
        })
        .catch(function () { /* the server-side verdict stays shown */ });
    }

    function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    if (!onInput) refresh();
  }

  /* ---- Fields that apply only in some cases ---- */
  function setupStatusFields(form) {
    var status = byName(form, "status");
    if (!status || status.tagName !== "SELECT") return;
    function apply() {
      var v = status.value;
      form.querySelectorAll('[data-show-for="bpi"]').forEach(function (b) { b.hidden = v !== "" && BPI.indexOf(v) < 0; });
      form.querySelectorAll('[data-show-for="non-bpi"]').forEach(function (b) { b.hidden = v !== "" && BPI.indexOf(v) >= 0; });
    }
    status.addEventListener("change", apply);
    apply();
  }

  function setupHousehold(form) {
    var block = form.querySelector('[data-show-for-household="join"]');
    var radios = form.querySelectorAll('input[name$="household_choice"]');
    if (!block || !radios.length) return;
    function apply() {
      var checked = form.querySelector('input[name$="household_choice"]:checked');
      block.hidden = !checked || checked.value !== "join";
    }
    radios.forEach(function (r) { r.addEventListener("change", apply); });
    apply();
  }

  var RIGHT_BLOCKS = {
    todo: [], not_applicable: [], requested: ["requested"],
    obtained: ["requested", "obtained"], refused: ["requested", "refused", "reason"]
  };

  function setupRightForm(form) {
    var state = byName(form, "state");
    if (!state) return;
    function apply() {
      var shown = RIGHT_BLOCKS[state.value] || [];
      form.querySelectorAll("[data-right-date]").forEach(function (b) {
        toggle(b, shown.indexOf(b.dataset.rightDate) >= 0);
      });
    }
    state.addEventListener("change", apply);
    apply();
  }

  function setupJobLength(form) {
    var kind = byName(form, "job_kind") || byName(form, "kind");
    var block = form.querySelector("[data-hide-for-cdi]");
    if (!kind || !block) return;
    function apply() { toggle(block, kind.value !== "cdi" && kind.value !== ""); }
    kind.addEventListener("change", apply);
    apply();
  }

  function setupEventId(form) {
    var kind = byName(form, "kind");
    var block = form.querySelector("[data-show-for-event]");
    if (!kind || !block) return;
    function apply() { toggle(block, WITH_EVENT_ID.indexOf(kind.value) >= 0); }
    kind.addEventListener("change", apply);
    apply();
  }

  /* ---- Confirmations and printing ---- */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action='print']");
    if (button) window.print();
  });

  function init() {
    var panel = document.getElementById("eligibility-panel");
    if (panel) setupEligibility(panel);
    document.querySelectorAll("form").forEach(function (form) {
      setupStatusFields(form);
      setupHousehold(form);
      setupJobLength(form);
      setupEventId(form);
      if (form.hasAttribute("data-right-form")) setupRightForm(form);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
