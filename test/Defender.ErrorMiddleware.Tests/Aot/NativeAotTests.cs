using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Defender.ErrorMiddleware.Tests.Aot;

/// <summary>
/// Native AOT as a tested promise: the webapiaot-style app publishes without one trim or AOT warning, and its native binary
/// answers every case exactly as the contract says and exactly as the same app under the JIT does (status, headers, body,
/// with the targets set aside), each error logged once with its target.
/// </summary>
public sealed partial class NativeAotTests(PublishedAotApp app, ITestOutputHelper output) : IClassFixture<PublishedAotApp>
{
    private const string MachinePath = "/api/machines/1e5bc9d7e413ddd7902c2932e418702b84d0cc07";

    [NativeAotFact]
    public void Publish_ReportsNoTrimOrAotWarning()
    {
        output.WriteLine($"publish: {app.PublishTime.TotalSeconds:F0} s");
        output.WriteLine($"native: started in {app.Native.StartupTime.TotalMilliseconds:F0} ms, RSS {app.Native.ResidentBytes / 1048576.0:F1} MiB");
        output.WriteLine($"JIT:    started in {app.Jit.StartupTime.TotalMilliseconds:F0} ms, RSS {app.Jit.ResidentBytes / 1048576.0:F1} MiB");
        Assert.True(app.TrimAndAotWarnings.Count == 0, "Trim/AOT analysis warnings:\n" + string.Join('\n', app.TrimAndAotWarnings));
    }

    [NativeAotFact]
    public async Task ThrownDefenderException_IsTheEnvelope_LoggedWithItsTarget()
    {
        var (response, _) = await SendToBothAsync(HttpMethod.Get, "/api/machines/nosuch");
        await AssertErrorLoggedAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine nosuch was not found");
    }

    [NativeAotFact]
    public async Task ReturnedDefenderResult_IsTheEnvelope_LoggedWithItsTarget()
    {
        var (response, _) = await SendToBothAsync(HttpMethod.Get, MachinePath + "/actions");
        await AssertErrorLoggedAsync(response, HttpStatusCode.BadRequest, "MaximumBatchSizeExceeded",
            "Maximum batch size exceeded. Received: 501, allowed: 500.");
    }

    [NativeAotFact]
    public async Task UnhandledException_Is500WithoutDetail_LoggedWithItsTarget()
    {
        var (response, body) = await SendToBothAsync(HttpMethod.Get, "/api/crash");
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        await AssertErrorLoggedAsync(response, HttpStatusCode.InternalServerError, "InternalServerError", "");
    }

    [NativeAotFact]
    public async Task UnknownRoute_IsNotFound_LoggedWithItsTarget()
    {
        var (response, _) = await SendToBothAsync(HttpMethod.Get, "/api/nosuch");
        await AssertErrorLoggedAsync(response, HttpStatusCode.NotFound, "NotFound", "General Not Found error message.");
    }

    [NativeAotFact]
    public async Task MissingToken_Is401WithTheChallenge_LoggedWithItsTarget()
    {
        var (response, _) = await SendToBothAsync(HttpMethod.Get, "/api/secure");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        await AssertErrorLoggedAsync(response, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
    }

    // The body messages are the binder's judgement (docs/validation.md): asserted exactly against the JIT app's, the code exactly.
    [NativeAotFact]
    public async Task WrongCaseBodyMember_IsMissingRequiredParameter_AsUnderJit()
    {
        var (response, body) = await SendToBothAsync(HttpMethod.Post, MachinePath + "/isolate", """{"comment":"Contain"}""");
        await AssertErrorLoggedAsync(response, HttpStatusCode.BadRequest, "MissingRequiredParameter", MessageOf(body));
        Assert.Contains("Comment", MessageOf(body), StringComparison.Ordinal);
    }

    [NativeAotFact]
    public async Task MalformedBody_IsInvalidRequestBody_AsUnderJit()
    {
        var (response, body) = await SendToBothAsync(HttpMethod.Post, MachinePath + "/isolate", """{"Comment":"Contain" """);
        await AssertErrorLoggedAsync(response, HttpStatusCode.BadRequest, "InvalidRequestBody", MessageOf(body));
    }

    [NativeAotFact]
    public async Task EmptyRequiredMember_IsMissingRequiredParameter_FromAddValidation()
    {
        var (response, body) = await SendToBothAsync(HttpMethod.Post, MachinePath + "/isolate", """{"Comment":""}""");
        await AssertErrorLoggedAsync(response, HttpStatusCode.BadRequest, "MissingRequiredParameter", MessageOf(body));
        Assert.Contains("Comment", MessageOf(body), StringComparison.Ordinal);
    }

    [NativeAotFact]
    public async Task GoodRequests_AreAnsweredWithTheSourceGeneratedJson()
    {
        var (machine, machineBody) = await SendToBothAsync(HttpMethod.Get, MachinePath);
        Assert.Equal(HttpStatusCode.OK, machine.StatusCode);
        Assert.Equal("""{"id":"1e5bc9d7e413ddd7902c2932e418702b84d0cc07","computerDnsName":"mymachine1.contoso.com"}""", machineBody);

        var (action, actionBody) = await SendToBothAsync(HttpMethod.Post, MachinePath + "/isolate", """{"Comment":"Contain"}""");
        Assert.Equal(HttpStatusCode.OK, action.StatusCode);
        Assert.Equal("""{"machineId":"1e5bc9d7e413ddd7902c2932e418702b84d0cc07","type":"Isolate","requestorComment":"Contain"}""", actionBody);

        var (secure, _) = await SendToBothAsync(HttpMethod.Get, "/api/secure", authorization: "Bearer dev");
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
    }

    /// <summary>
    /// Sends the request to the native app and to the JIT app; asserts both answered the same (status, headers but Date,
    /// body with its target set aside) and returns the native app's answer.
    /// </summary>
    private async Task<(HttpResponseMessage Response, string Body)> SendToBothAsync(
        HttpMethod method, string path, string? json = null, string? authorization = null)
    {
        Assert.True(app.Publish is not null, "The app was not published.");
        var native = await SendAsync(app.Native, method, path, json, authorization);
        var jit = await SendAsync(app.Jit, method, path, json, authorization);
        Assert.Equal(await DescribeAsync(jit), await DescribeAsync(native));
        return (native, await native.Content.ReadAsStringAsync());
    }

    private static async Task<HttpResponseMessage> SendAsync(AotAppProcess target, HttpMethod method, string path, string? json, string? authorization)
    {
        using var client = new HttpClient { BaseAddress = target.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key.ToLowerInvariant()}: {string.Join(", ", h.Value)}")
            .Order(StringComparer.Ordinal);
        var body = Target().Replace(await response.Content.ReadAsStringAsync(), "\"target\":\"<target>\"");
        return $"{(int)response.StatusCode}\n{string.Join('\n', headers)}\n\n{body}";
    }

    /// <summary>The exact envelope and error headers, and the target in exactly one line of the native app's log, with the code.</summary>
    private async Task AssertErrorLoggedAsync(HttpResponseMessage response, HttpStatusCode status, string code, string message)
    {
        var target = await DefenderEnvelope.AssertErrorAsync(response, status, code, message);
        var lines = await app.Native.LinesWithAsync(target);
        var line = Assert.Single(lines);
        Assert.Contains($"answered {(int)status} {code}", line, StringComparison.Ordinal);
    }

    private static string MessageOf(string body) =>
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString()!;

    [GeneratedRegex("\"target\":\"[0-9a-f-]{36}\"")]
    private static partial Regex Target();
}
