// Demo only: forget this browser's choice, so the banner of another region can be seen.
document.addEventListener("click", function (event) {
  if (!event.target.closest("[data-demo-reset]")) return;
  document.cookie = "cm_consent=; path=/; max-age=0";
  localStorage.removeItem("cm_revision");
  location.reload();
});
