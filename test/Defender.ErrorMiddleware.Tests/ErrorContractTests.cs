using System.Net;
using Defender.ErrorMiddleware.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests;

/// <summary>Every documented code over real HTTP, thrown and returned: status, headers, exact JSON, and the log line.</summary>
public sealed class ErrorContractTests
{
    private static readonly Dictionary<DefenderErrorCode, (DefenderError Error, HttpStatusCode Status, string Message)> Cases = new()
    {
        [DefenderErrorCode.BadRequest] = (DefenderError.BadRequest(), HttpStatusCode.BadRequest, "General Bad Request error message."),
        [DefenderErrorCode.ODataError] = (DefenderError.ODataError("Could not find a property named 'nosuch' on type 'Machine'."),
            HttpStatusCode.BadRequest, "Invalid OData URI query: Could not find a property named 'nosuch' on type 'Machine'."),
        [DefenderErrorCode.InvalidInput] = (DefenderError.InvalidInput("abc"), HttpStatusCode.BadRequest, "Invalid input abc."),
        [DefenderErrorCode.InvalidRequestBody] = (DefenderError.InvalidRequestBody(), HttpStatusCode.BadRequest, "Invalid request body."),
        [DefenderErrorCode.InvalidHashValue] = (DefenderError.InvalidHashValue("abc123"), HttpStatusCode.BadRequest, "Hash value abc123 is invalid."),
        [DefenderErrorCode.InvalidDomainName] = (DefenderError.InvalidDomainName("bad..example"), HttpStatusCode.BadRequest, "Domain name bad..example is invalid."),
        [DefenderErrorCode.InvalidIpAddress] = (DefenderError.InvalidIpAddress("10.0.0.256"), HttpStatusCode.BadRequest, "IP address 10.0.0.256 is invalid."),
        [DefenderErrorCode.InvalidUrl] = (DefenderError.InvalidUrl("htp:/x"), HttpStatusCode.BadRequest, "URL htp:/x is invalid."),
        [DefenderErrorCode.MaximumBatchSizeExceeded] = (DefenderError.MaximumBatchSizeExceeded(501, 500), HttpStatusCode.BadRequest,
            "Maximum batch size exceeded. Received: 501, allowed: 500."),
        [DefenderErrorCode.MissingRequiredParameter] = (DefenderError.MissingRequiredParameter("Comment"), HttpStatusCode.BadRequest, "Parameter Comment is missing."),
        [DefenderErrorCode.OsPlatformNotSupported] = (DefenderError.OsPlatformNotSupported("Linux"), HttpStatusCode.BadRequest,
            "OS Platform Linux is not supported for this action."),
        [DefenderErrorCode.ClientVersionNotSupported] = (DefenderError.ClientVersionNotSupported("Isolate", "10.8040"), HttpStatusCode.BadRequest,
            "Isolate is supported on client version 10.8040 and above."),
        [DefenderErrorCode.Unauthorized] = (DefenderError.Unauthorized(), HttpStatusCode.Unauthorized, "Unauthorized"),
        [DefenderErrorCode.Forbidden] = (DefenderError.Forbidden(), HttpStatusCode.Forbidden, "Forbidden"),
        [DefenderErrorCode.DisabledFeature] = (DefenderError.DisabledFeature(), HttpStatusCode.Forbidden, "Tenant feature is not enabled."),
        [DefenderErrorCode.DisallowedOperation] = (DefenderError.DisallowedOperation("Machine 123 is already isolated."), HttpStatusCode.Forbidden,
            "Machine 123 is already isolated."),
        [DefenderErrorCode.NotFound] = (DefenderError.NotFound(), HttpStatusCode.NotFound, "General Not Found error message."),
        [DefenderErrorCode.ResourceNotFound] = (DefenderError.ResourceNotFound("Machine", "123123123"), HttpStatusCode.NotFound, "Machine 123123123 was not found"),
        [DefenderErrorCode.InternalServerError] = (DefenderError.InternalServerError(), HttpStatusCode.InternalServerError, ""),
    };

    public static TheoryData<DefenderErrorCode> AllCodes => [.. Enum.GetValues<DefenderErrorCode>()];

    private static Task<TestApp> StartAsync(Action<DefenderErrorOptions>? options = null) => TestApp.StartAsync(app =>
    {
        app.MapGet("/throw/{code}", string (DefenderErrorCode code) => throw new DefenderException(Cases[code].Error));
        app.MapGet("/result/{code}", (DefenderErrorCode code) => DefenderResults.Error(Cases[code].Error));
    }, options);

    [Theory]
    [MemberData(nameof(AllCodes))]
    public async Task Throw_AnswersDocumentedEnvelope_ForEveryCode(DefenderErrorCode code)
    {
        await using var app = await StartAsync();
        var (_, status, message) = Cases[code];

        var target = await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync($"/throw/{code}"), status, code.ToString(), message);

        var entry = Assert.Single(app.Logs.FromDefender);
        Assert.Equal(target, entry.State["Target"]);
        Assert.Equal(code.ToString(), entry.State["ErrorCode"]);
        Assert.Equal((int)status, entry.State["StatusCode"]);
        Assert.Equal("GET", entry.State["Method"]);
        Assert.Equal($"/throw/{code}", entry.State["Path"]);
        Assert.False(string.IsNullOrEmpty(entry.State["TraceId"] as string));
        if ((int)status >= 500)
        {
            Assert.Equal(LogLevel.Error, entry.Level);
            Assert.Equal(new EventId(2, "DefenderServerError"), entry.EventId);
            Assert.IsType<DefenderException>(entry.Exception);
        }
        else
        {
            Assert.Equal(LogLevel.Warning, entry.Level);
            Assert.Equal(new EventId(1, "DefenderClientError"), entry.EventId);
            Assert.Null(entry.Exception);
        }
    }

    [Theory]
    [MemberData(nameof(AllCodes))]
    public async Task Result_AnswersSameEnvelopeAsThrowing_ForEveryCode(DefenderErrorCode code)
    {
        await using var app = await StartAsync();
        var (_, status, message) = Cases[code];

        var target = await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync($"/result/{code}"), status, code.ToString(), message);

        var entry = Assert.Single(app.Logs.FromDefender);
        Assert.Equal(target, entry.State["Target"]);
    }

    /// <summary>
    /// Messages the writer puts straight into the response (nothing to escape) and those it hands to the serializer (a
    /// character to escape, or a body longer than one block): every one must be the serializer's exact bytes.
    /// </summary>
    private static readonly string[] Messages =
    [
        "Machine 42 was not found",
        "Quote \" and backslash \\",
        "Tab\tnewline\ncontrol\u0001",
        "Non-ASCII kept as is: é ü 漢 \u0600",
        "An emoji 😀 is escaped",
        "Line separator \u2028 and no-break space \u00A0",
        "<script>alert('x')</script> & + `",
        "A lone \ud800 surrogate",
        new string('é', 1300),
        new string('é', 1400),
        new string('x', 5000),
        "",
    ];

    public static TheoryData<int> MessageIndexes => [.. Enumerable.Range(0, Messages.Length)];

    [Theory]
    [MemberData(nameof(MessageIndexes))]
    public async Task Body_IsTheSerializersBytes_WhetherWrittenDirectlyOrSerialized(int index)
    {
        await using var app = await TestApp.StartAsync(a =>
        {
            a.MapGet("/throw/{i:int}", string (int i) => throw new DefenderException(DefenderError.BadRequest(Messages[i])));
            a.MapGet("/result/{i:int}", (int i) => DefenderResults.Error(DefenderError.BadRequest(Messages[i])));
        });
        var message = Messages[index];

        foreach (var channel in new[] { "throw", "result" })
        {
            var target = await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync($"/{channel}/{index}"), HttpStatusCode.BadRequest, "BadRequest", message);
            Assert.Contains(app.Logs.FromDefender, e => target.Equals(e.State["Target"]));
        }
    }

    [Fact]
    public async Task Targets_AreDistinctRandomGuids_AcrossBlockRefillsAndThreads()
    {
        // Targets come from per-thread blocks of 256: many refills on each of several threads at once.
        var perThread = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 2_500).Select(_ => Internal.ErrorTargets.Next()).ToList())));
        var all = perThread.SelectMany(t => t).ToList();

        Assert.Equal(10_000, all.Distinct().Count());
        AssertRandomGuids(all);
    }

    /// <summary>RFC 9562 version 4 (random) with the RFC variant, as Guid.NewGuid makes them; not all the same bits otherwise.</summary>
    private static void AssertRandomGuids(IReadOnlyCollection<Guid> targets)
    {
        Assert.All(targets, t =>
        {
            Assert.Equal(4, t.Version);
            Assert.InRange(t.Variant, 8, 11);
        });

        // Every one of the 122 random bits varies across the sample (a fixed byte would show as a constant bit).
        var or = new byte[16];
        var and = Enumerable.Repeat((byte)0xFF, 16).ToArray();
        foreach (var bytes in targets.Select(t => t.ToByteArray()))
        {
            for (var i = 0; i < 16; i++)
            {
                or[i] |= bytes[i];
                and[i] &= bytes[i];
            }
        }

        var varying = Enumerable.Range(0, 128).Count(bit => ((or[bit / 8] ^ and[bit / 8]) & (1 << (bit % 8))) != 0);
        Assert.Equal(122, varying);
    }

    [Fact]
    public async Task Throw_GivesDistinctTargets_EachFoundInTheLog_Over1000Errors()
    {
        await using var app = await StartAsync();
        var targets = new List<Guid>();
        for (var i = 0; i < 1000; i++)
        {
            var response = await app.Client.GetAsync(i % 2 == 0 ? "/throw/ResourceNotFound" : "/result/InvalidInput");
            var body = await response.Content.ReadAsStringAsync();
            targets.Add(DefenderEnvelope.AssertBody(body, i % 2 == 0 ? "ResourceNotFound" : "InvalidInput",
                i % 2 == 0 ? "Machine 123123123 was not found" : "Invalid input abc."));
        }

        Assert.Equal(1000, targets.Distinct().Count());
        AssertRandomGuids(targets);
        var logged = app.Logs.FromDefender.Select(e => (Guid)e.State["Target"]!).ToList();
        Assert.Equal(1000, logged.Count);
        Assert.Equal(targets.Order(), logged.Order());
    }

    [Fact]
    public async Task UnhandledException_Answers500WithoutDetails_AndLogsTheException()
    {
        const string Secret = "password=hunter2 at C:\\secrets\\db.txt";
        await using var app = await TestApp.StartAsync(a => a.MapGet("/boom", string () => throw new InvalidOperationException(Secret)));

        var response = await app.Client.GetAsync("/boom");
        var body = await response.Content.ReadAsStringAsync();

        var target = await DefenderEnvelope.AssertErrorAsync(response, HttpStatusCode.InternalServerError, "InternalServerError", "");
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        var entry = Assert.Single(app.Logs.FromDefender);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal(target, entry.State["Target"]);
        Assert.Equal(Secret, Assert.IsType<InvalidOperationException>(entry.Exception).Message);
    }

    [Fact]
    public async Task ThreatProtectionPreset_UsesOlderWording()
    {
        await using var app = await StartAsync(o => o.MessagePreset = DefenderMessagePreset.MicrosoftThreatProtection);

        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/throw/Unauthorized"), HttpStatusCode.Unauthorized, "Unauthorized",
            "Unauthorized (usually invalid or expired authorization header).");
        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/throw/Forbidden"), HttpStatusCode.Forbidden, "Forbidden",
            "Forbidden (valid token but insufficient permission for the action).");
        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/throw/InternalServerError"), HttpStatusCode.InternalServerError,
            "InternalServerError", "No error message, retry the operation or contact us if it does not get resolved.");
    }

    [Fact]
    public async Task SetDefaultMessage_OverridesMessageOfErrorsWithoutOne()
    {
        await using var app = await StartAsync(o => o.SetDefaultMessage(DefenderErrorCode.InternalServerError, "Something went wrong. Quote the target."));

        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/throw/InternalServerError"), HttpStatusCode.InternalServerError,
            "InternalServerError", "Something went wrong. Quote the target.");
        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/throw/ResourceNotFound"), HttpStatusCode.NotFound,
            "ResourceNotFound", "Machine 123123123 was not found");
    }

    [Fact]
    public async Task RegisteredCode_AnswersWithItsStatus_ThrownOrReturned()
    {
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/active", () => DefenderResults.Error(new DefenderError("ActiveRequestAlreadyExists",
                    "Machine 42 already has an active live response session.")));
                a.MapGet("/throttled", string () => throw new DefenderException(new DefenderError("TooManyRequests")));
                a.MapGet("/unknown", string () => throw new DefenderException(new DefenderError("NoSuchCode", "x")));
            },
            o => o.AddErrorCode("ActiveRequestAlreadyExists", 400, "An active request already exists."));

        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/active"), HttpStatusCode.BadRequest,
            "ActiveRequestAlreadyExists", "Machine 42 already has an active live response session.");
        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/throttled"), HttpStatusCode.TooManyRequests,
            "TooManyRequests", "Too many requests. Retry after the time the Retry-After header gives.");
        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/unknown"), HttpStatusCode.InternalServerError, "InternalServerError", "");
        Assert.Contains(app.Logs.FromDefender, e => e.EventId.Name == "DefenderUnknownCode" && (string?)e.State["ErrorCode"] == "NoSuchCode");
    }

    [Fact]
    public void AddErrorCode_RejectsRedefiningADocumentedCode()
    {
        var options = new DefenderErrorOptions();
        Assert.Throws<ArgumentException>(() => options.AddErrorCode("NotFound", 410, "Gone"));
    }

    [Fact]
    public async Task HeadRequest_GetsStatusAndHeaders_WithoutBody()
    {
        await using var app = await TestApp.StartAsync(a => a.MapMethods("/head", ["HEAD"], string () => throw new DefenderException(DefenderError.NotFound())));

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/head"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(["NotFound"], response.Headers.GetValues("x-ms-error-code"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Single(app.Logs.FromDefender);
    }
}
