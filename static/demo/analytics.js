// Stand-in for a performance-monitoring tag: sets Google Analytics-style cookies.
(function () {
  var id = "GA1.1." + Math.floor(Math.random() * 1e9) + "." + Math.floor(Date.now() / 1000);
  document.cookie = "_ga=" + id + "; path=/; max-age=63072000; SameSite=Lax";
  document.cookie = "_gid=GA1.1." + Math.floor(Math.random() * 1e9) + "; path=/; max-age=86400; SameSite=Lax";
  (window.demoRan = window.demoRan || []).push("analytics");
  var status = document.querySelector("[data-status]");
  if (status) status.textContent = window.demoRan.join(", ");
})();
