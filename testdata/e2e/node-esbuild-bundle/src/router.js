// A very small router: method + path pattern with :params.
export class Router {
  constructor() {
    this.routes = [];
  }

  on(method, pattern, handler) {
    const names = [];
    const re = new RegExp(
      '^' +
        pattern.replace(/:([a-z]+)/g, (_, name) => {
          names.push(name);
          return '([^/]+)';
        }) +
        '$',
    );
    this.routes.push({ method, re, names, handler });
    return this;
  }

  match(method, path) {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.re.exec(path);
      if (m) {
        const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
        return { handler: r.handler, params };
      }
    }
    return null;
  }
}
