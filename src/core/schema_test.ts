import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { int, readJsonValidated, v, validate } from "./schema.ts";

const schema = v.strictObject({ model: v.strictObject({ layers: int(1) }), name: v.string() });

Deno.test("validation errors name the key, what was expected and what was found", () => {
  assertEquals(validate(schema, { model: { layers: 2 }, name: "x" }, "cfg"), {
    model: { layers: 2 },
    name: "x",
  });
  assertThrows(
    () => validate(schema, { model: { layers: 0 }, name: "x" }, "cfg"),
    /cfg: 'model.layers' expects >=1, got 0$/,
  );
  assertThrows(
    () => validate(schema, { model: { layers: "2" }, name: "x" }, "cfg"),
    /'model.layers' expects number, got "2"/,
  );
  assertThrows(
    () => validate(schema, { model: { layers: 2 }, name: "x", extra: 1 }, "cfg"),
    /'extra' expects never/,
  );
});

Deno.test("readJsonValidated names a missing, corrupt or invalid file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertRejects(() => readJsonValidated(`${dir}/none.json`, schema), /Missing file .*none.json/);
    await Deno.writeTextFile(`${dir}/bad.json`, "{ trunc");
    await assertRejects(() => readJsonValidated(`${dir}/bad.json`, schema), /Corrupt JSON in .*bad.json/);
    await Deno.writeTextFile(`${dir}/wrong.json`, JSON.stringify({ model: {}, name: "x" }));
    await assertRejects(
      () => readJsonValidated(`${dir}/wrong.json`, schema),
      /wrong.json: 'model.layers' is missing/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
