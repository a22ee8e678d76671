// Stand-in for an advertising pixel: sets a Meta Pixel-style cookie.
(function () {
  document.cookie = "_fbp=fb.1." + Date.now() + "." + Math.floor(Math.random() * 1e9) + "; path=/; max-age=7776000; SameSite=Lax";
  (window.demoRan = window.demoRan || []).push("marketing");
  var status = document.querySelector("[data-status]");
  if (status) status.textContent = window.demoRan.join(", ");
})();
