using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.Tests.Framework;

public sealed class FrameworkIndicator
{
    [Required]
    public string? Title { get; set; }

    [FileHash(DefenderHashKind.Sha256)]
    public string? Sha256 { get; set; }

    [IpAddress]
    public string? Ip { get; set; }

    [Range(1, 10)]
    public int? Count { get; set; }

    [MaxBatchSize(2)]
    public List<string>? Tags { get; set; }

    public List<FrameworkItem>? Items { get; set; }

    [Validation.ShortHash]
    public string? Checksum { get; set; }
}

public sealed class FrameworkItem
{
    [DomainName]
    public string? Domain { get; set; }

    [HttpUrl]
    public string? Url { get; set; }
}

public sealed class FrameworkCrossField : IValidatableObject
{
    public string? IndicatorType { get; set; }

    public string? IndicatorValue { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!DefenderValidators.TryValidateIndicator(IndicatorType, IndicatorValue, out var error))
        {
            yield return DefenderValidators.ToValidationResult(error, nameof(IndicatorValue));
        }
    }
}

/// <summary>.NET 10's AddValidation() validates minimal-API arguments; its failures answer with the Defender codes.</summary>
public sealed class AddValidationTests
{
    private static Task<FrameworkApp> StartAsync() =>
        FrameworkApp.StartAsync(
            services =>
            {
                services.AddDefenderErrors();
                AddFrameworkValidation(services);
            },
            app =>
            {
                app.UseDefenderErrors();
                app.MapPost("/indicators", (FrameworkIndicator indicator) => Results.Ok(indicator.Title));
                app.MapPost("/cross-field", (FrameworkCrossField body) => Results.Ok());
                app.MapGet("/search", ([Range(1, 10)] int top) => Results.Ok(top));
                app.MapGet("/named", ([FromQuery(Name = "q"), StringLength(3)] string? query) => Results.Ok(query));
                app.MapGet("/required-nullable", ([FromQuery, Required] string? name) => Results.Ok(name));
            });

    /// <summary>
    /// The one AddValidation() call of this assembly: .NET 10's validations generator emits one resolver file per
    /// compilation and fails (CS8785, duplicate hint name) when a compilation calls AddValidation() twice.
    /// </summary>
    internal static IServiceCollection AddFrameworkValidation(IServiceCollection services) => services.AddValidation();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static TheoryData<string, string, string> BodyCases() => new()
    {
        { "{\"title\":\"\"}", "MissingRequiredParameter", "Parameter title is missing." },
        { "{\"title\":\"t\",\"sha256\":\"zz\"}", "InvalidHashValue", "Hash value zz is invalid." },
        { "{\"title\":\"t\",\"ip\":\"1.2.3\"}", "InvalidIpAddress", "IP address 1.2.3 is invalid." },
        { "{\"title\":\"t\",\"count\":50}", "InvalidInput", "Invalid input count: 50 is not between 1 and 10." },
        { "{\"title\":\"t\",\"checksum\":\"xyz\"}", "InvalidHashValue", "Hash value xyz is invalid." },
        { "{\"title\":\"t\",\"tags\":[\"a\",\"b\",\"c\"]}", "MaximumBatchSizeExceeded", "Maximum batch size exceeded. Received: 3, allowed: 2." },
        { "{\"title\":\"t\",\"items\":[{\"domain\":\"ok.example\"},{\"domain\":\"bad..example\"}]}", "InvalidDomainName", "Domain name bad..example is invalid." },
        { "{\"title\":\"t\",\"items\":[{\"url\":\"htp:/example\"}]}", "InvalidUrl", "URL htp:/example is invalid." },
        { "{\"title\":\"t\",\"ip\":\"1.2.3\",\"sha256\":\"zz\"}", "InvalidHashValue", "Hash value zz is invalid." },
    };

    [Theory]
    [MemberData(nameof(BodyCases))]
    public async Task BodyAttribute_AnswersItsDefenderCode(string body, string code, string message)
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.PostAsync("/indicators", Json(body)), HttpStatusCode.BadRequest, code, message);
    }

    [Fact]
    public async Task ValidBody_IsAnswered()
    {
        await using var app = await StartAsync();

        var response = await app.Client.PostAsync("/indicators", Json("{\"title\":\"t\",\"sha256\":\"" + new string('a', 64) + "\",\"count\":3}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"t\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ParameterAttribute_AnswersInvalidInputWithTheValue()
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync("/search?top=50"), HttpStatusCode.BadRequest, "InvalidInput", "Invalid input top: 50 is not between 1 and 10.");
    }

    [Fact]
    public async Task NamedParameter_AnswersInvalidInput()
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.GetAsync("/named?q=abcd"), HttpStatusCode.BadRequest, "InvalidInput", "Invalid input q: longer than 3 characters.");
    }

    [Fact]
    public async Task ValidatableObject_ReportingADefenderError_AnswersThatError()
    {
        await using var app = await StartAsync();

        await app.AssertErrorLoggedOnceAsync(await app.Client.PostAsync("/cross-field", Json("{\"indicatorType\":\"FileSha1\",\"indicatorValue\":\"abc\"}")),
            HttpStatusCode.BadRequest, "InvalidHashValue", "Hash value abc is invalid.");
    }

    [Fact]
    public async Task NullableRequiredParameter_IsNotValidated_WhenMissing()
    {
        await using var app = await StartAsync();

        // The framework validates no null argument (a nullable [Required] parameter is optional to it): documented in
        // docs/validation.md, which recommends a non-nullable parameter (the binder's MissingRequiredParameter).
        var response = await app.Client.GetAsync("/required-nullable");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
