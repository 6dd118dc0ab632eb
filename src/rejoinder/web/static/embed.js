/* rejoinder embed: <script src="https://COMMENTS-HOST/embed.js" defer></script>
   and <div data-rejoinder-thread></div> (comment counts: <span data-rejoinder-count="id">).
   No framework, no iframe. Comment and author HTML come from the server already sanitized;
   everything else is set as text. */
(function () {
  "use strict";
  var STRINGS = __STRINGS__;
  var CSS = __CSS__;
  var OWN_KEY = "rejoinder.own";
  var DETAILS_KEY = "rejoinder.details";
  var COMMENTER_KEY = "rejoinder.commenter"; /* site -> token: a returning commenter (D18) */
  var VOTER_KEY = "rejoinder.voter"; /* the voter token: one vote per reader and comment */
  var VOTES_KEY = "rejoinder.votes"; /* comment id -> this reader's vote, to show it pressed */
  var SORTS = ["oldest", "newest", "top"];
  var SVG = "http://www.w3.org/2000/svg";
  var THREAD_RE = /^[A-Za-z0-9_][A-Za-z0-9._~-]{0,127}$/;
  var SITE_RE = /^(\d{1,12}|https?:\/\/[^\s"'<>]{1,490})$/;
  var script = document.currentScript ||
    document.querySelector('script[src$="/embed.js"]');
  var API = new URL(script ? script.src : "/embed.js", location.href).origin + "/api/v1";
  var counter = 0;

  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "html") node.innerHTML = attrs[k]; /* server-sanitized only */
      else if (k === "on") node.addEventListener("click", attrs[k]);
      else if (attrs[k] != null && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (kid) { if (kid) node.appendChild(kid); });
    return node;
  }

  function store(key, value) {
    try {
      if (value === undefined) return JSON.parse(localStorage.getItem(key) || "null");
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { return null; }
  }

  function ownTokens() { var t = store(OWN_KEY); return Array.isArray(t) ? t : []; }
  function addToken(token) { store(OWN_KEY, [token].concat(ownTokens()).slice(0, 50)); }
  function commenters() { var t = store(COMMENTER_KEY); return t && typeof t === "object" ? t : {}; }
  function commenterToken(site) { var t = commenters()[site]; return typeof t === "string" ? t : ""; }
  function keepCommenter(site, token) {
    var all = commenters();
    all[site] = token;
    store(COMMENTER_KEY, all);
  }

  function votes() { var v = store(VOTES_KEY); return v && typeof v === "object" ? v : {}; }

  /* The identicon of comments/avatars.py: a mirrored 5 x 5 pattern from the comment's seed. */
  function avatar(c, gravatar) {
    if (gravatar && /^[0-9a-f]{64}$/.test(c.gravatar || "")) {
      return el("img", { "class": "rj-avatar", alt: "", width: 32, height: 32, loading: "lazy",
        referrerpolicy: "no-referrer",
        src: "https://www.gravatar.com/avatar/" + c.gravatar + "?s=64&d=identicon" });
    }
    var seed = c.avatar || "";
    if (!/^[0-9a-f]{7,}$/.test(seed)) return null;
    var hue = parseInt(seed.slice(0, 3), 16) % 360, bits = parseInt(seed.slice(3, 7), 16), d = "";
    for (var y = 0; y < 5; y++) {
      var l = [0, 1, 2].map(function (x) { return bits >> (y * 3 + x) & 1; });
      var row = l.concat([l[1], l[0]]);
      for (var x = 0; x < 5;) {
        if (!row[x]) { x++; continue; }
        var run = 1;
        while (x + run < 5 && row[x + run]) run++;
        d += "M" + x + " " + y + "h" + run + "v1h-" + run + "z";
        x += run;
      }
    }
    var svg = document.createElementNS(SVG, "svg");
    [["class", "rj-avatar"], ["viewBox", "0 0 5 5"], ["aria-hidden", "true"]].forEach(function (a) { svg.setAttribute(a[0], a[1]); });
    var rect = document.createElementNS(SVG, "rect"), path = document.createElementNS(SVG, "path");
    rect.setAttribute("width", "5"); rect.setAttribute("height", "5");
    rect.setAttribute("fill", "hsl(" + hue + ",40%,90%)");
    path.setAttribute("fill", "hsl(" + hue + ",55%,38%)");
    path.setAttribute("d", d);
    svg.appendChild(rect); svg.appendChild(path);
    return svg;
  }

  /* "3 minutes ago" in the reader's language; the exact time is the title and datetime. */
  function ago(iso, lang) {
    var secs = (new Date(iso).getTime() - Date.now()) / 1000, abs = Math.abs(secs);
    var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
      ["hour", 3600], ["minute", 60], ["second", 1]];
    try {
      var fmt = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
      for (var i = 0; i < units.length; i++) {
        if (abs >= units[i][1] || i === units.length - 1) {
          return fmt.format(Math.round(secs / units[i][1]), units[i][0]);
        }
      }
    } catch (e) { /* old browsers: the exact time */ }
    return new Date(iso).toLocaleString(lang);
  }

  function when(iso, lang, tag, label, cls) {
    var exact = new Date(iso).toLocaleString(lang);
    return el(tag, { datetime: tag === "time" ? iso : null, title: exact, "class": cls,
      text: label || ago(iso, lang) });
  }

  /* D6: every data-attribute is checked against an allow-list; bad values are ignored. */
  function config(root) {
    var d = root.dataset, lang = (d.rejoinderLang || document.documentElement.lang || "en");
    var cfg = {
      thread: d.rejoinderThread || "",
      site: d.rejoinderSite || location.origin,
      url: location.origin + location.pathname,
      title: (d.rejoinderTitle || document.title || "").slice(0, 300),
      lang: lang.toLowerCase().split("-")[0],
      theme: d.rejoinderTheme || "auto",
      sort: d.rejoinderSort || "oldest"
    };
    if (cfg.thread && !THREAD_RE.test(cfg.thread)) { warn("thread id"); cfg.thread = ""; }
    if (!SITE_RE.test(cfg.site)) { warn("site"); cfg.site = location.origin; }
    if (["auto", "light", "dark"].indexOf(cfg.theme) < 0) { warn("theme"); cfg.theme = "auto"; }
    if (SORTS.indexOf(cfg.sort) < 0) { warn("sort"); cfg.sort = "oldest"; }
    if (!Object.prototype.hasOwnProperty.call(STRINGS, cfg.lang)) cfg.lang = "en";
    return cfg;
  }
  function warn(what) { if (window.console) console.warn("rejoinder: ignoring invalid " + what); }

  function request(method, path, body, headers) {
    var init = { method: method, headers: headers || {} };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init).then(function (res) {
      if (res.status === 204) return { status: 204 };
      return res.json().then(function (data) {
        if (!res.ok) throw new Error((data.error && data.error.message) || res.statusText);
        data.httpStatus = res.status;
        return data;
      });
    });
  }

  function Widget(root) {
    this.root = root;
    this.cfg = config(root);
    this.s = STRINGS[this.cfg.lang];
    this.id = "rj" + (++counter);
    this.data = null;
    this.replyTo = null;
    this.sort = this.cfg.sort;
  }

  Widget.prototype.query = function (after) {
    var c = this.cfg, q = "?site=" + encodeURIComponent(c.site) +
      (c.thread ? "&thread=" + encodeURIComponent(c.thread) : "&url=" + encodeURIComponent(c.url)) +
      "&sort=" + this.sort;
    return after ? q + "&after=" + after : q;
  };

  Widget.prototype.load = function (after) {
    var self = this, own = ownTokens(), headers = {};
    if (own.length) headers["X-Rejoinder-Own"] = own.join(",");
    return request("GET", "/comments" + this.query(after), null, headers).then(function (data) {
      if (!after && self.data) { self.data = data; self.list.textContent = ""; self.sorted(); }
      else if (!after) { self.data = data; self.render(); }
      data.comments.forEach(function (c) { self.list.appendChild(self.item(c)); });
      self.more.hidden = !data.next;
      self.next = data.next;
      self.empty.hidden = self.list.children.length > 0;
    }).catch(function (err) { self.root.textContent = self.s.error + " " + err.message; });
  };

  Widget.prototype.render = function () {
    var s = this.s, self = this, id = this.id;
    this.heading = el("h2", { id: id + "-h", text: s.comments + " (" + this.data.total + ")" });
    this.list = el("ol", { "class": "rj-list", id: id + "-list" });
    this.empty = el("p", { text: s.no_comments });
    this.more = el("button", { type: "button", text: s.more, hidden: true,
      on: function () { self.load(self.next); } });
    this.status = el("div", { "class": "rj-status", role: "status", "aria-live": "polite" });
    this.sortBox = el("div", { "class": "rj-sort", role: "group", "aria-label": s.sort_by },
      [el("span", { text: s.sort_by + ":" })].concat(SORTS.map(function (name) {
        return el("button", { type: "button", text: s["sort_" + name], "data-sort": name,
          on: function () { if (self.sort !== name) { self.sort = name; self.load(0); } } });
      })));
    this.section = el("section", { "class": "rj", "aria-labelledby": id + "-h",
      "data-rj-theme": this.cfg.theme === "auto" ? null : this.cfg.theme },
      [this.heading, this.status, this.sortBox, this.list, this.empty, el("p", {}, [this.more]), this.form()]);
    this.root.textContent = "";
    this.root.appendChild(this.section);
    this.sorted();
  };

  Widget.prototype.sorted = function () {
    var self = this;
    Array.prototype.forEach.call(this.sortBox.querySelectorAll("button"), function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-sort") === self.sort));
    });
    this.sortBox.hidden = this.data.total < 2;
  };

  Widget.prototype.field = function (name, label, type, auto) {
    var fid = this.id + "-" + name;
    var input = el(type === "textarea" ? "textarea" : "input", {
      id: fid, name: name, type: type === "textarea" ? null : type, autocomplete: auto,
      rows: type === "textarea" ? 6 : null, required: name === "text" ? "" : null
    });
    this.inputs[name] = input;
    return el("p", {}, [el("label", { "for": fid, text: label }), input]);
  };

  Widget.prototype.form = function () {
    var s = this.s, self = this, id = this.id, saved = store(DETAILS_KEY);
    this.inputs = {};
    this.formTitle = el("h3", { id: id + "-fh", text: s.leave_reply });
    this.cancel = el("button", { type: "button", text: s.cancel_reply, hidden: true,
      on: function () { self.setReply(null); } });
    var text = this.field("text", s.comment, "textarea");
    var hint = el("small", { id: id + "-md", text: s.markdown_hint });
    this.inputs.text.setAttribute("aria-describedby", id + "-md");
    text.appendChild(hint);
    this.preview = el("div", { "class": "rj-preview rj-body", "aria-live": "polite", hidden: true });
    var previewBtn = el("button", { type: "button", text: s.preview, on: function () { self.showPreview(); } });
    var save = el("input", { type: "checkbox", id: id + "-save" });
    save.checked = !!saved;
    this.save = save;
    this.notify = el("input", { type: "checkbox", id: id + "-notify" });
    var hpId = id + "-hp";
    this.honeypot = el("input", { id: hpId, name: this.data.honeypot_field, tabindex: "-1",
      autocomplete: "off" });
    this.submit = el("button", { type: "submit", text: s.post });
    this.error = el("div", { "class": "rj-error", role: "alert", hidden: true });
    var form = el("form", { "class": "rj-form", "aria-labelledby": id + "-fh", novalidate: "" }, [
      text, this.preview,
      this.field("author", s.name, "text", "name"),
      this.field("email", s.email, "email", "email"),
      this.field("website", s.website, "url", "url"),
      el("div", { "class": "rj-hp", "aria-hidden": "true" },
        [el("label", { "for": hpId, text: s.honeypot }), this.honeypot]),
      el("p", { "class": "rj-check" }, [save, el("label", { "for": id + "-save", text: " " + s.save_details })]),
      el("p", { "class": "rj-check" }, [this.notify, el("label", { "for": id + "-notify", text: " " + s.notify_replies })]),
      this.error, el("p", { "class": "rj-actions" }, [this.submit, previewBtn, this.cancel]),
      el("p", { "class": "rj-notice" }, [document.createTextNode(s.notice + " "),
        el("a", { href: new URL(this.data.privacy_url, API).href, text: s.notice_link })])
    ]);
    if (saved) ["author", "email", "website"].forEach(function (k) {
      self.inputs[k].value = typeof saved[k] === "string" ? saved[k] : "";
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); self.post(); });
    this.formEl = form;
    this.formBox = el("div", { "class": "rj-formbox" }, [this.formTitle, form]);
    return this.formBox;
  };

  Widget.prototype.showPreview = function () {
    var self = this, text = this.inputs.text.value;
    this.preview.hidden = false;
    if (!text.trim()) { this.preview.textContent = this.s.preview_empty; return; }
    request("POST", "/preview", { site: this.cfg.site, text: text }).then(function (res) {
      self.preview.innerHTML = res.html; /* server-sanitized, as it would be published */
    }).catch(function (err) { self.fail(err); });
  };

  Widget.prototype.setReply = function (comment, article) {
    this.replyTo = comment;
    this.formTitle.textContent = comment ?
      this.s.reply_to.replace("{name}", comment.author || this.s.anonymous) : this.s.leave_reply;
    this.cancel.hidden = !comment;
    if (comment) article.parentNode.insertBefore(this.formBox, article.nextSibling);
    else this.section.appendChild(this.formBox);
    this.inputs.text.focus();
  };

  Widget.prototype.count = function (delta) {
    this.data.total += delta;
    this.heading.textContent = this.s.comments + " (" + this.data.total + ")";
  };

  Widget.prototype.say = function (message) {
    this.status.textContent = "";
    this.status.textContent = message;
  };

  Widget.prototype.fail = function (err) {
    this.error.textContent = this.s.error + " " + err.message;
    this.error.hidden = false;
  };

  Widget.prototype.post = function () {
    var self = this, v = {}, c = this.cfg;
    ["author", "email", "website", "text"].forEach(function (k) { v[k] = self.inputs[k].value; });
    if (!v.text.trim()) { this.inputs.text.focus(); return; }
    this.error.hidden = true;
    this.submit.disabled = true;
    this.submit.textContent = this.s.posting;
    store(DETAILS_KEY, this.save.checked ?
      { author: v.author, email: v.email, website: v.website } : null);
    var body = { site: c.site, thread: c.thread, url: c.url, title: c.title, lang: c.lang,
      parent: this.replyTo ? this.replyTo.id : null, author: v.author, email: v.email,
      website: v.website, text: v.text, form_token: this.data.form_token,
      notify: this.notify.checked, commenter_token: commenterToken(c.site) };
    body[this.data.honeypot_field] = this.honeypot.value;
    request("POST", "/comments", body).then(function (res) {
      if (res.token) addToken(res.token);
      if (res.commenter_token) keepCommenter(c.site, res.commenter_token);
      self.inputs.text.value = "";
      self.preview.hidden = true;
      var parent = self.replyTo;
      self.setReply(null);
      if (res.comment) {
        var node = self.item(res.comment);
        var box = parent ? self.repliesOf(parent.id) : self.list;
        box.appendChild(node);
        self.empty.hidden = true;
        node.querySelector("article").focus();
        if (res.status === "published") self.count(1);
      }
      self.say(res.status === "published" ? self.s.published : self.s.awaiting);
    }).catch(function (err) { self.fail(err); }).then(function () {
      self.submit.disabled = false;
      self.submit.textContent = self.s.post;
    });
  };

  Widget.prototype.repliesOf = function (commentId) {
    var li = document.getElementById(this.id + "-c" + commentId).parentNode;
    var box = li.querySelector(":scope > ol");
    var depth = Number(li.getAttribute("data-depth"));
    if (depth >= this.data.max_depth - 1) return li.parentNode;
    if (!box) { box = el("ol", { "class": "rj-list rj-replies" }); li.appendChild(box); }
    return box;
  };

  Widget.prototype.item = function (c) {
    var s = this.s, self = this, id = this.id + "-c" + c.id;
    var depth = Math.min(c.depth, this.data.max_depth - 1);
    var article = el("article", { "class": "rj-comment" + (c.status === "pending" ? " rj-pending" : ""),
      id: id, tabindex: "-1", "aria-labelledby": id + "-by" });
    var li = el("li", { "data-depth": String(depth) }, [article]);
    if (c.status === "deleted") {
      article.appendChild(el("p", { "class": "rj-deleted", id: id + "-by", text: s.deleted }));
    } else {
      var lang = this.cfg.lang;
      article.appendChild(el("header", { "class": "rj-meta" }, [
        avatar(c, this.data.gravatar),
        c.author_html ? el("span", { "class": "rj-author", id: id + "-by", html: c.author_html }) :
          el("span", { "class": "rj-author", id: id + "-by", text: s.anonymous }),
        el("a", { "class": "rj-time", href: "#" + id, "aria-label": s.permalink }, [
          when(c.created, lang, "time")]),
        c.edited ? when(c.edited, lang, "span", "(" + s.edited + ")", "rj-edited") : null
      ]));
      if (c.status === "pending") {
        article.appendChild(el("p", { "class": "rj-awaiting" }, [el("em", { text: s.awaiting })]));
      }
      var body = el("div", { "class": "rj-body", html: c.html });
      article.appendChild(body);
      var actions = el("div", { "class": "rj-actions" });
      if (c.status === "published" && this.data.voting) actions.appendChild(this.voteBox(c));
      if (c.status === "published") {
        actions.appendChild(el("button", { type: "button", text: s.reply,
          on: function () { self.setReply(c, article); } }));
      }
      if (c.editable_until && c.mine) this.ownActions(c, article, body, actions);
      article.appendChild(actions);
    }
    if (c.replies && c.replies.length) {
      var box = el("ol", { "class": "rj-list rj-replies" });
      c.replies.forEach(function (r) { box.appendChild(self.item(r)); });
      li.appendChild(box);
    }
    return li;
  };

  Widget.prototype.voteBox = function (c) {
    var s = this.s, box = el("span", { "class": "rj-vote" }), mine = votes()[c.id] || 0;
    var score = el("span", { "class": "rj-score", title: s.score, text: String(c.score || 0) });
    function button(value, label, glyph) {
      var b = el("button", { type: "button", "aria-label": label, title: label, text: glyph,
        "aria-pressed": String(mine === value) });
      b.addEventListener("click", function () {
        var next = mine === value ? 0 : value;
        request("POST", "/comments/" + c.id + "/vote",
          { value: next, voter: store(VOTER_KEY) || "" }).then(function (res) {
          store(VOTER_KEY, res.voter);
          var all = votes();
          if (res.value) all[c.id] = res.value; else delete all[c.id];
          store(VOTES_KEY, all);
          mine = res.value;
          score.textContent = String(res.score);
          up.setAttribute("aria-pressed", String(mine === 1));
          down.setAttribute("aria-pressed", String(mine === -1));
        }).catch(function (err) { self.fail(err); });
      });
      return b;
    }
    var self = this, up = button(1, s.vote_up, "\u25B2"), down = button(-1, s.vote_down, "\u25BC");
    box.appendChild(up); box.appendChild(score); box.appendChild(down);
    return box;
  };

  Widget.prototype.token = function (commentId) {
    var mine = ownTokens().filter(function (t) { return t.split(".")[0] === String(commentId); });
    return mine[0] || "";
  };

  Widget.prototype.ownActions = function (c, article, body, actions) {
    var s = this.s, self = this;
    var edit = el("button", { type: "button", text: s.edit, on: function () {
      var fid = self.id + "-e" + c.id;
      var area = el("textarea", { id: fid, rows: 5 });
      area.value = c.source || "";
      var saveBtn = el("button", { type: "button", "class": "rj-primary", text: s.save });
      var cancelBtn = el("button", { type: "button", text: s.cancel });
      var box = el("div", { "class": "rj-form" }, [el("label", { "for": fid, text: s.edit_comment }),
        area, el("p", {}, [saveBtn, document.createTextNode(" "), cancelBtn])]);
      function close() { box.remove(); body.hidden = false; actions.hidden = false; edit.focus(); }
      cancelBtn.addEventListener("click", close);
      saveBtn.addEventListener("click", function () {
        request("PUT", "/comments/" + c.id, { token: self.token(c.id), text: area.value })
          .then(function (res) {
            c.source = res.source;
            body.innerHTML = res.html; /* server-sanitized */
            var meta = article.querySelector(".rj-meta"), old = meta.querySelector(".rj-edited");
            var mark = when(res.edited || new Date().toISOString(), self.cfg.lang, "span",
              "(" + s.edited + ")", "rj-edited");
            if (old) meta.replaceChild(mark, old); else meta.appendChild(mark);
            close();
            self.say(res.status === "published" ? s.edited_done : s.awaiting);
          }).catch(function (err) { self.fail(err); });
      });
      body.hidden = true;
      actions.hidden = true;
      article.insertBefore(box, actions);
      area.focus();
    } });
    var keep = el("button", { type: "button", text: s.cancel, hidden: true, on: function () {
      del.removeAttribute("data-armed");
      del.textContent = s.delete;
      del.className = "";
      keep.hidden = true;
      del.focus();
    } });
    var del = el("button", { type: "button", text: s.delete, on: function () {
      if (del.getAttribute("data-armed") !== "1") {
        del.setAttribute("data-armed", "1");
        del.textContent = s.confirm_delete;
        del.className = "rj-primary";
        keep.hidden = false;
        return;
      }
      request("DELETE", "/comments/" + c.id, { token: self.token(c.id) }).then(function () {
        var li = article.parentNode;
        if (li.querySelector(":scope > ol")) {
          article.textContent = "";
          article.appendChild(el("p", { "class": "rj-deleted", text: s.deleted }));
        } else li.remove();
        if (c.status === "published") self.count(-1);
        self.say(s.deleted_done);
        self.inputs.text.focus();
      }).catch(function (err) { self.fail(err); });
    } });
    actions.appendChild(edit);
    actions.appendChild(del);
    actions.appendChild(keep);
  };

  /* <span data-rejoinder-count="thread-id"> (or an article URL): filled with the number of
     published comments, one request per site for a whole article list. */
  function counts() {
    var bySite = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-rejoinder-count]"), function (node) {
      var key = node.getAttribute("data-rejoinder-count");
      var site = node.getAttribute("data-rejoinder-site") || location.origin;
      var isUrl = /^https?:\/\//.test(key);
      if (!SITE_RE.test(site) || (!isUrl && !THREAD_RE.test(key))) { warn("count"); return; }
      (bySite[site] = bySite[site] || []).push({ node: node, key: key, isUrl: isUrl });
    });
    Object.keys(bySite).forEach(function (site) {
      var items = bySite[site];
      for (var i = 0; i < items.length; i += 100) {
        (function (chunk) {
          var q = chunk.map(function (it) {
            return (it.isUrl ? "&url=" : "&thread=") + encodeURIComponent(it.key);
          }).join("");
          request("GET", "/counts?site=" + encodeURIComponent(site) + q).then(function (res) {
            chunk.forEach(function (it) { it.node.textContent = String(res.counts[it.key] || 0); });
          }).catch(function () { /* leave the page's own text */ });
        })(items.slice(i, i + 100));
      }
    });
  }

  function start() {
    if (!document.getElementById("rejoinder-css")) {
      document.head.appendChild(el("style", { id: "rejoinder-css", text: CSS }));
    }
    var roots = document.querySelectorAll("[data-rejoinder-thread]");
    Array.prototype.forEach.call(roots, function (root) {
      if (root.getAttribute("data-rejoinder-started")) return;
      root.setAttribute("data-rejoinder-started", "1");
      new Widget(root).load(0);
    });
    counts();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
