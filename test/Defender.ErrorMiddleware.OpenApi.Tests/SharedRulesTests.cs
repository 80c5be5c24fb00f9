using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Defender.ErrorMiddleware.OpenApi.Tests;

/// <summary>
/// The documents and the server read one status table and one default-message rule (the app's <see cref="DefenderErrorOptions"/>):
/// what a document promises for an app that changes them is what the same app answers.
/// </summary>
public sealed class SharedRulesTests
{
    private const string GoneMessage = "The machine was offboarded.";
    private const string RetryMessage = "Retry the operation later.";
    private const string MethodNotAllowedMessage = "The HTTP method is not allowed for this resource.";

    [Fact]
    public async Task Documents_ListTheCodeAndMessageTheServerWrites_WhenTheAppChangesTheRules()
    {
        await using var app = await TestApi.StartAsync(
            a =>
            {
                a.MapGet("/api/offboarded", () => Results.NotFound()).Produces(StatusCodes.Status404NotFound);
                a.MapGet("/api/crash", string () => throw new InvalidOperationException("boom"));
                a.MapGet("/api/locked", () => Results.StatusCode(StatusCodes.Status405MethodNotAllowed)).Produces(StatusCodes.Status405MethodNotAllowed);
            },
            o =>
            {
                o.StatusCodeErrors[StatusCodes.Status404NotFound] = new DefenderError(DefenderErrorCode.ResourceNotFound, GoneMessage);
                o.SetDefaultMessage(DefenderErrorCode.InternalServerError, RetryMessage);
            });
        using var client = app.GetTestClient();

        using (var gone = await client.GetAsync(new Uri("/api/offboarded", UriKind.Relative)))
        {
            await DefenderEnvelope.AssertErrorAsync(gone, HttpStatusCode.NotFound, "ResourceNotFound", GoneMessage);
        }

        using (var crash = await client.GetAsync(new Uri("/api/crash", UriKind.Relative)))
        {
            await DefenderEnvelope.AssertErrorAsync(crash, HttpStatusCode.InternalServerError, "InternalServerError", RetryMessage);
        }

        using (var locked = await client.GetAsync(new Uri("/api/locked", UriKind.Relative)))
        {
            await DefenderEnvelope.AssertErrorAsync(locked, HttpStatusCode.MethodNotAllowed, "BadRequest", MethodNotAllowedMessage);
        }

        foreach (var path in new[] { TestApi.OpenApiPath, TestApi.SwaggerPath })
        {
            var document = JsonNode.Parse(await client.GetStringAsync(new Uri(path, UriKind.Relative)))!;
            // Without the app's table the document would say NotFound, the default for a bodiless 404.
            var goneExamples = document["paths"]!["/api/offboarded"]!["get"]!["responses"]!["404"]!["content"]!["application/json"]!["examples"]!.AsObject();
            Assert.Equal(["ResourceNotFound"], goneExamples.Select(e => e.Key));
            Assert.Equal(GoneMessage, (string)goneExamples["ResourceNotFound"]!["value"]!["error"]!["message"]!);

            // A bodiless status keeps its status in the document as on the wire: 405 with code BadRequest, not a 400.
            var locked = document["paths"]!["/api/locked"]!["get"]!["responses"]!.AsObject();
            Assert.Equal(["405", "500"], locked.Select(r => r.Key).Order(StringComparer.Ordinal));
            var lockedExamples = locked["405"]!["content"]!["application/json"]!["examples"]!.AsObject();
            Assert.Equal(["BadRequest"], lockedExamples.Select(e => e.Key));
            Assert.Equal(MethodNotAllowedMessage, (string)lockedExamples["BadRequest"]!["value"]!["error"]!["message"]!);
            Assert.Contains(MethodNotAllowedMessage, (string)locked["405"]!["description"]!, StringComparison.Ordinal);
            var serverError = document["paths"]!["/api/crash"]!["get"]!["responses"]!["500"]!["content"]!["application/json"]!["examples"]!["InternalServerError"]!["value"]!;
            Assert.Equal(RetryMessage, (string)serverError["error"]!["message"]!);
        }
    }
}
