// ofetch's declarations import the type of its Node `dispatcher` option from 'undici', a package it does not install; Node's
// own typings ship the same types as undici-types (a dependency of @types/node).
declare module "undici" {
  export * from "undici-types";
}
