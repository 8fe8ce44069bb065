// HR's requirement form: show only the fields the chosen kind of requirement needs.
(function () {
  var form = document.querySelector("[data-requirement-form]");
  if (!form) {
    return;
  }
  var kind = form.querySelector("select[name=kind]");
  function update() {
    form.querySelectorAll("[data-kinds]").forEach(function (group) {
      var wanted = group.dataset.kinds.split(" ").indexOf(kind.value) !== -1;
      group.hidden = !wanted;
    });
  }
  kind.addEventListener("change", update);
  update();
})();
