/*
 * Recipe scaler front end.
 * Talks to /api/recipes/<slug>?servings=N and fills the result table.
 */
(function () {
  'use strict';

  var form = document.getElementById('scaler');
  var table = document.querySelector('#result tbody');
  var errorBox = document.querySelector('.error');

  // Replace the table body with one row per ingredient.
  function showIngredients(ingredients) {
    var rows = ingredients.map(function (ingredient) {
      var row = document.createElement('tr');
      var amountCell = document.createElement('td');
      var itemCell = document.createElement('td');
      amountCell.className = 'amount';
      amountCell.textContent = ingredient.amount;
      itemCell.textContent = ingredient.item;
      row.append(amountCell, itemCell);
      return row;
    });
    table.replaceChildren.apply(table, rows);
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var data = new FormData(form);
    var url = '/api/recipes/' + encodeURIComponent(data.get('recipe')) +
      '?servings=' + encodeURIComponent(data.get('servings'));
    fetch(url)
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error(body.error || ('HTTP ' + response.status));
          }
          return body;
        });
      })
      .then(function (recipe) { showIngredients(recipe.ingredients); })
      .catch(function (err) { showError(err.message); });
  });
})();
