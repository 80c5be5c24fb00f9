using Defender.SampleApi.Clients.Tests.Infrastructure;

namespace Defender.SampleApi.Clients.Tests;

/// <summary>
/// TypeScript clients generated from each served document — openapi-typescript types with openapi-fetch, and an
/// @hey-api/openapi-ts SDK — compiled with <c>tsc --strict</c> and run with Node's test runner against the sample
/// (the tests are ts/clients/*.test.ts).
/// </summary>
[Collection(SampleServersGroup.Name)]
public sealed class TypeScriptClientTests(SampleServers servers, ITestOutputHelper output)
{
    private static readonly string[] ClientTests = ["hey-api.test.ts", "openapi-fetch.test.ts", "support.ts"];

    /// <summary>A typed machine, and 404/400/401/429 each as the generated DefenderError with code, message and target.</summary>
    [NodeTheory]
    [InlineData("/openapi/v1.json", "openapi")]
    [InlineData("/swagger/v1/swagger.json", "swagger")]
    public async Task GeneratedClients_ReadErrorsAsTheGeneratedDefenderError(string path, string name)
    {
        var generated = await GenerateAsync(path, name);
        Assert.True(generated.ErrorsIn(ClientTests).Count == 0, generated.CompilerOutput);
        Assert.True(generated.Errors.All(e => e.Contains("/success-bodies.test.ts(", StringComparison.Ordinal)), generated.CompilerOutput);

        var run = await NodeTestRun.RunAsync(Repository.ToolsFolder, [generated.Js("hey-api.test.ts"), generated.Js("openapi-fetch.test.ts")], servers, output);

        Assert.True(run.Passed == 12, run.Report);
        Assert.True(run.Targets.Count == 10, run.Report);
        servers.AssertLogged(run.Targets);
    }

    /// <summary>Every request body and success body has a real schema (a body that says nothing is unknown and fails tsc).</summary>
    [NodeTheory]
    [InlineData("/openapi/v1.json", "openapi")]
    [InlineData("/swagger/v1/swagger.json", "swagger")]
    public async Task GeneratedClients_TypeEveryRequestAndSuccessBody(string path, string name)
    {
        var generated = await GenerateAsync(path, name);
        Assert.True(generated.ErrorsIn("success-bodies.test.ts").Count == 0,
            "Bodies the document leaves untyped:\n" + string.Join('\n', generated.ErrorsIn("success-bodies.test.ts")));

        var run = await NodeTestRun.RunAsync(Repository.ToolsFolder, [generated.Js("success-bodies.test.ts")], servers, output);

        Assert.True(run.Passed == 2, run.Report);
    }

    /// <summary>
    /// The recipes of docs/clients.md as written (ts/clients/recipes.test.ts): TanStack Query, ky, ofetch, openapi-fetch and
    /// @hey-api each turn the sample's 404 into a DefenderApiError with its target, fetched once, and retry a fake server's 429
    /// after its Retry-After.
    /// </summary>
    [NodeFact]
    public async Task Recipes_RunAsDocumented()
    {
        var generated = await GenerateAsync("/openapi/v1.json", "openapi");
        Assert.True(generated.ErrorsIn("recipes.test.ts").Count == 0, generated.CompilerOutput);

        var run = await NodeTestRun.RunAsync(Repository.ToolsFolder, [generated.Js("recipes.test.ts")], servers, output);

        Assert.True(run.Passed == 8, run.Report);
        Assert.True(run.Targets.Count == 6, run.Report);
        servers.AssertLogged(run.Targets);
    }

    /// <summary>Both documents' clients generate and compile side by side; the tests that come later find theirs ready.</summary>
    private Task<GeneratedTypeScript> GenerateAsync(string path, string name)
    {
        _ = GeneratedTypeScript.ForAsync(servers, "/openapi/v1.json", "openapi");
        _ = GeneratedTypeScript.ForAsync(servers, "/swagger/v1/swagger.json", "swagger");
        return GeneratedTypeScript.ForAsync(servers, path, name);
    }
}
