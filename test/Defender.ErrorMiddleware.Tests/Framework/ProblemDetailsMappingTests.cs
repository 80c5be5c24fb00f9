using Defender.ErrorMiddleware.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.Tests.Framework;

/// <summary>The one rule every ProblemDetails and MVC error value goes through.</summary>
public sealed class ProblemDetailsMappingTests
{
    private static readonly DefenderErrorWriter Writer = new(Options.Create(new DefenderErrorOptions()), NullLoggerFactory.Instance, new ServiceCollection().BuildServiceProvider());

    [Theory]
    [InlineData("$.Items[1].Comment", "The Comment field is required.", "MissingRequiredParameter", "Parameter Items[1].Comment is missing.")]
    [InlineData("Comment", "The Comment field is required.", "MissingRequiredParameter", "Parameter Comment is missing.")]
    [InlineData("Comment", "Comment is needed.", "InvalidInput", "Invalid input Comment.")]
    [InlineData("$", "The body is wrong.", "InvalidRequestBody", "The body is wrong.")]
    [InlineData("", "Dates are in the wrong order.", "InvalidRequestBody", "Dates are in the wrong order.")]
    public void FromValidationErrors_ChoosesByTheMessageOfTheFirstMember(string key, string message, string code, string expected)
    {
        var error = ProblemDetailsMapping.FromValidationErrors([new(key, [message]), new("Other", ["The Other field is required."])]);

        Assert.Equal(new DefenderError(code, expected), error);
    }

    [Fact]
    public void FromValidationErrors_SkipsMembersWithoutMessages_AndIsNullWhenNoneHasOne()
    {
        Assert.Equal(DefenderError.InvalidInput("top"), ProblemDetailsMapping.FromValidationErrors([new("skip", []), new("top", ["no"])]));
        Assert.Null(ProblemDetailsMapping.FromValidationErrors([new("skip", [])]));
    }

    [Theory]
    [InlineData(404, null, null, "NotFound", null)]
    [InlineData(404, "Not Found", null, "NotFound", null)]
    [InlineData(404, "Machine 7 is gone.", null, "NotFound", "Machine 7 is gone.")]
    [InlineData(409, "Conflict", "Machine 1 is already isolated.", "BadRequest", "Machine 1 is already isolated.")]
    [InlineData(500, "An error occurred while processing your request.", null, "InternalServerError", null)]
    [InlineData(503, "Service Unavailable", null, "InternalServerError", null)]
    public void FromProblem_UsesDetailElseAnApplicationTitle_AndKeepsTheStatus(int status, string? title, string? detail, string code, string? message)
    {
        var error = ProblemDetailsMapping.FromProblem(Writer, new ProblemDetails { Status = status, Title = title, Detail = detail }, status, out var statusOverride);

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
        Assert.Equal(status, statusOverride);
    }

    [Fact]
    public void FromProblem_ValidationProblem_IsOne400Error_WithTheCodesOwnStatus()
    {
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["Count"] = ["Too many."] });

        var error = ProblemDetailsMapping.FromProblem(Writer, problem, 400, out var statusOverride);

        Assert.Equal(DefenderError.InvalidInput("Count"), error);
        Assert.Null(statusOverride);
    }
}
