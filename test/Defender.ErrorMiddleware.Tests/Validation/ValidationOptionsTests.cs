using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Tests.Validation;

public sealed class ValidationOptionsTests
{
    [Theory]
    [InlineData("minimal")]
    [InlineData("api-controller")]
    [InlineData("controller")]
    public async Task Post_RejectsUnknownMember_WhenRejectUnknownBodyMembers(string surface)
    {
        await using var app = await ValidationTestApp.StartAsync(o => o.RejectUnknownBodyMembers = true);
        using var client = app.Client();
        using var response = await client.SendAsync(ValidationTestApp.Post($"/{surface}/isolate", "{\"Comment\":\"c\",\"Extra\":1}"));
        await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.BadRequest, "InvalidInput", "Invalid input Extra.");
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("api-controller")]
    [InlineData("controller")]
    public async Task Post_BindsOtherCase_WhenCaseSensitiveRequestBodiesIsOff(string surface)
    {
        // The framework's own case-insensitive binding comes back, and the required check follows it.
        await using var app = await ValidationTestApp.StartAsync(
            o => o.CaseSensitiveRequestBodies = false,
            host => host.WebHost.UseTestServer().ConfigureServices(s => s
                .ConfigureHttpJsonOptions(j => j.SerializerOptions.PropertyNameCaseInsensitive = true)
                .Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(j => j.JsonSerializerOptions.PropertyNameCaseInsensitive = true)));
        using var client = app.Client();
        using var response = await client.SendAsync(ValidationTestApp.Post($"/{surface}/isolate", "{\"comment\":\"c\"}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"Comment\":\"c\"}", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("api-controller")]
    public async Task Post_LeavesFrameworkBehaviour_WhenValidateRequestsIsOff(string surface)
    {
        await using var app = await ValidationTestApp.StartAsync(o => o.ValidateRequests = false);
        using var client = app.Client();
        using var response = await client.SendAsync(ValidationTestApp.Post($"/{surface}/indicator", "{\"Sha256\":\"abc\"}"));
        var body = await response.Content.ReadAsStringAsync();
        // The framework's own validation (AddValidation(), MVC) still fails the request; only the Defender code is not chosen.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("InvalidHashValue", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_Answers413Envelope_AndKeepsServing_WhenBodyExceedsKestrelLimit()
    {
        await using var app = await ValidationTestApp.StartAsync(host: builder =>
        {
            builder.WebHost.UseKestrel(k => k.Limits.MaxRequestBodySize = 1024).UseUrls("http://127.0.0.1:0");
        });
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        foreach (var surface in ValidationTestApp.Surfaces)
        {
            var big = "{\"Comment\":\"" + new string('a', 4096) + "\"}";
            using (var response = await client.SendAsync(ValidationTestApp.Post($"/{surface}/isolate", big)))
            {
                await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.RequestEntityTooLarge, "InvalidRequestBody", "The request body is too large.");
            }

            using var next = await client.SendAsync(ValidationTestApp.Post($"/{surface}/isolate", "{\"Comment\":\"small\"}"));
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }
    }
}
