/* Compose page enhancements. The page works without this script; the server checks every
   rule again and is the truth. Here: live preview and the video's duration check (§8 1c,
   5a), the disclosure's options, label and declaration as they are chosen (§8 3, 4), and
   the upload sent with XMLHttpRequest to show its progress. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var SELF_ONLY = "SELF_ONLY";
  var previewUrls = [];

  function $(id) { return document.getElementById(id); }

  function init() {
    var form = $("compose_form");
    autoSubmitPicker();
    if (!form) return;
    var state = { blocked: $("submit_button") && $("submit_button").disabled, duration: false, photos: false };
    form._composeState = state;
    bindCounters();
    bindShownBy(form);
    bindDisclosure(form, state);
    bindMedia(form, state);
    bindUpload(form, state);
    updateSubmit(form, state);
  }

  function autoSubmitPicker() {
    var picker = $("account_picker");
    if (picker && !picker._bound) {
      picker._bound = true;
      picker.addEventListener("change", function () { picker.form.submit(); });
    }
  }

  /* Caption limits count UTF-16 units, as TikTok does and as String.length does. */
  function bindCounters() {
    ["title", "description"].forEach(function (id) {
      var box = $(id), out = $(id + "_count");
      if (!box || !out) return;
      var limit = parseInt(box.getAttribute("data-limit"), 10);
      var show = function () {
        out.textContent = box.value.length + " / " + limit;
        out.classList.toggle("over", box.value.length > limit);
      };
      box.addEventListener("input", show);
      show();
    });
  }

  /* Sections shown only while a control is on (the disclosure's options, the schedule). */
  function bindShownBy(form) {
    var sections = form.querySelectorAll("[data-shown-by]");
    Array.prototype.forEach.call(sections, function (section) {
      var control = $(section.getAttribute("data-shown-by"));
      if (!control) return;
      var sync = function () { section.hidden = !control.checked; };
      var group = control.type === "radio" ? form.querySelectorAll('input[name="' + control.name + '"]') : [control];
      Array.prototype.forEach.call(group, function (el) { el.addEventListener("change", sync); });
      sync();
    });
  }

  function bindDisclosure(form, state) {
    var toggle = $("commercial_content");
    if (!toggle) return;
    var organic = $("brand_organic"), branded = $("brand_content"), privacy = $("privacy_level");
    var sync = function (event) {
      if (event && event.target === toggle && !toggle.checked) {
        organic.checked = false;
        branded.checked = false;
      }
      applyDisclosure(form, state, toggle, organic, branded, privacy);
    };
    [toggle, organic, branded].forEach(function (el) { el.addEventListener("change", sync); });
    if (privacy) privacy.addEventListener("change", sync);
    sync();
  }

  function applyDisclosure(form, state, toggle, organic, branded, privacy) {
    var on = toggle.checked;
    var isBranded = on && branded.checked;
    var label = $("disclosure_label");
    var text = isBranded ? form.dataset.labelPaid : (on && organic.checked ? form.dataset.labelOrganic : "");
    label.textContent = text;
    label.hidden = !text;
    $("needs_choice").hidden = !(on && !organic.checked && !branded.checked);
    // §8 3: branded content cannot be private, whichever is chosen first.
    if (privacy) {
      var selfOnly = privacy.querySelector('option[value="' + SELF_ONLY + '"]');
      if (selfOnly) selfOnly.disabled = isBranded;
      $("self_only_note").hidden = !isBranded;
      var privateChosen = privacy.value === SELF_ONLY;
      branded.disabled = privateChosen && !branded.checked;
      $("brand_content_why").hidden = !branded.disabled;
    }
    var declaration = $("declaration");
    var template = $(isBranded ? "declaration_branded" : "declaration_music");
    if (declaration && template) declaration.innerHTML = template.innerHTML;
    state.disclosure = on && !organic.checked && !branded.checked;
    updateSubmit(form, state);
  }

  function updateSubmit(form, state) {
    var button = $("submit_button");
    if (!button) return;
    button.disabled = !!(state.blocked || state.duration || state.photos || state.disclosure);
    // §8 3: the hover text says what is missing while the disclosure has no choice.
    if (state.disclosure) button.title = button.getAttribute("data-needs-choice");
    else button.removeAttribute("title");
  }

  function bindMedia(form, state) {
    var input = $("media");
    if (!input) return;
    if (!input._composeBound) {
      input._composeBound = true;
      input.addEventListener("change", function () { showMedia(currentForm(), currentState()); });
    }
    if (input.files && input.files.length) showMedia(form, state);
  }

  function currentForm() { return $("compose_form"); }
  function currentState() { return currentForm()._composeState; }

  function showMedia(form, state) {
    var input = $("media"), preview = $("preview");
    previewUrls.forEach(function (url) { URL.revokeObjectURL(url); });
    previewUrls = [];
    preview.textContent = "";
    var files = Array.prototype.slice.call(input.files || []);
    if (form.dataset.kind === "video") showVideo(form, state, files[0], preview);
    else showPhotos(form, state, files, preview);
  }

  function showVideo(form, state, file, preview) {
    var error = $("duration_error");
    error.hidden = true;
    state.duration = false;
    updateSubmit(form, state);
    if (!file) return;
    var url = URL.createObjectURL(file);
    previewUrls.push(url);
    var video = document.createElement("video");
    video.controls = true;
    video.playsInline = true;
    video.preload = "metadata";
    video.src = url;
    video.setAttribute("aria-label", "Preview of " + file.name);
    preview.appendChild(video);
    var limit = parseInt(form.dataset.maxDuration, 10);
    video.addEventListener("loadedmetadata", function () {
      // §8 1c: refuse a video longer than the creator may post, before any upload.
      if (limit && isFinite(video.duration) && video.duration > limit + 0.05) {
        error.textContent = "This video is " + Math.round(video.duration) + " seconds long; this " +
          "account can post videos up to " + limit + " seconds. Trim it or choose another video.";
        error.hidden = false;
        state.duration = true;
        updateSubmit(form, state);
      }
    });
  }

  function showPhotos(form, state, files, preview) {
    preview.classList.add("photos");
    var error = $("duration_error");
    state.photos = files.length > 35;
    error.hidden = !state.photos;
    if (state.photos) error.textContent = "A photo post takes at most 35 photos; you chose " + files.length + ".";
    var cover = $("photo_cover");
    if (cover && files.length) cover.max = String(files.length);
    files.forEach(function (file, index) {
      var url = URL.createObjectURL(file);
      previewUrls.push(url);
      var figure = document.createElement("figure");
      var img = document.createElement("img");
      img.src = url;
      img.alt = "Photo " + (index + 1) + ": " + file.name;
      var caption = document.createElement("figcaption");
      caption.className = "small muted";
      caption.textContent = String(index + 1);
      figure.appendChild(img);
      figure.appendChild(caption);
      preview.appendChild(figure);
    });
    updateSubmit(form, state);
  }

  /* Send the form with XMLHttpRequest to show the upload's progress. The server answers
     {"location": …} on success, or the page again with its errors. */
  function bindUpload(form, state) {
    if (!$("media") || !window.FormData) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = $("submit_button");
      if (button.disabled) return;
      button.disabled = true;
      var status = $("upload_status"), bar = $("upload_progress"), percent = $("upload_percent");
      status.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("X-CSRF-Token", form.elements.csrf_token.value);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var done = Math.floor((e.loaded / e.total) * 100);
        bar.value = done;
        percent.textContent = done + "%";
        if (done >= 100) percent.textContent = "Checking the file…";
      });
      xhr.addEventListener("load", function () { answered(xhr, form, state); });
      xhr.addEventListener("error", function () {
        failed(form, state, "The upload was interrupted: check your connection and try again.");
      });
      xhr.send(new FormData(form));
    });
  }

  function answered(xhr, form, state) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("application/json") !== -1) {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (xhr.status === 200 && body.location) { window.location.assign(body.location); return; }
      failed(form, state, body.detail || "The post could not be sent (HTTP " + xhr.status + ").");
      return;
    }
    if (type.indexOf("text/html") !== -1) { swapPage(xhr.responseText); return; }
    failed(form, state, "The server answered HTTP " + xhr.status + ": reload the page and try again.");
  }

  function failed(form, state, message) {
    $("upload_status").hidden = true;
    var error = $("duration_error");
    error.textContent = message;
    error.hidden = false;
    updateSubmit(form, state);
  }

  /* Show the page the server sent back (the form with its errors), keeping the chosen file. */
  function swapPage(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var main = document.querySelector("main"), next = fresh.querySelector("main");
    if (!main || !next) { document.open(); document.write(html); document.close(); return; }
    var kept = $("media");
    next = document.importNode(next, true);
    main.replaceWith(next);
    var slot = $("media");
    if (kept && slot) {
      slot.replaceWith(kept);
      var again = $("files_again");
      if (again && kept.files && kept.files.length) again.hidden = true;
    }
    document.title = fresh.title;
    init();
    window.scrollTo(0, 0);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
