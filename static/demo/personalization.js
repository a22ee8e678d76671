// Stand-in for a personalization tag: remembers viewed products and shows suggestions.
(function () {
  document.cookie = "sg_recent=selene-crescent-ring; path=/; max-age=2592000; SameSite=Lax";
  (window.demoRan = window.demoRan || []).push("personalization");
  var section = document.getElementById("recently-viewed");
  if (section) section.hidden = false;
  var status = document.querySelector("[data-status]");
  if (status) status.textContent = window.demoRan.join(", ");
})();
