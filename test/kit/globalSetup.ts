// Replaced below once the database kit exists.
export default async function setup() {}
