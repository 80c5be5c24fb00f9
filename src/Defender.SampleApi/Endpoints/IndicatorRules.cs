using Defender.ErrorMiddleware;
using Defender.SampleApi.Json;

namespace Defender.SampleApi.Endpoints;

/// <summary>
/// Checks an indicator the way Defender does: required members in the documented order, then the enumerations, then the
/// value by its <c>indicatorType</c> with the library's <see cref="DefenderValidators"/>. The first failure is the answer,
/// so a bad request always gets the same error.
/// </summary>
internal static class IndicatorRules
{
    public const int MaximumImportBatchSize = 500;

    private static readonly string[] Actions = ["Warn", "Block", "Audit", "Alert", "AlertAndBlock", "BlockAndRemediate", "Allowed"];
    private static readonly string[] Severities = ["Informational", "Low", "Medium", "High"];

    /// <summary>Returns the first problem with the indicator, or <see langword="null"/> when it is valid.</summary>
    public static DefenderError? Check(IndicatorRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.IndicatorValue))
        {
            return DefenderError.MissingRequiredParameter("indicatorValue");
        }

        if (string.IsNullOrEmpty(request.IndicatorType))
        {
            return DefenderError.MissingRequiredParameter("indicatorType");
        }

        if (string.IsNullOrEmpty(request.Action))
        {
            return DefenderError.MissingRequiredParameter("action");
        }

        if (string.IsNullOrWhiteSpace(request.Title))
        {
            return DefenderError.MissingRequiredParameter("title");
        }

        if (string.IsNullOrWhiteSpace(request.Description))
        {
            return DefenderError.MissingRequiredParameter("description");
        }

        if ((FieldLimits.Check("indicatorValue", request.IndicatorValue, FieldLimits.IndicatorValue)
            ?? FieldLimits.Check("title", request.Title, FieldLimits.Title)
            ?? FieldLimits.Check("description", request.Description, FieldLimits.Description)
            ?? FieldLimits.Check("recommendedActions", request.RecommendedActions, FieldLimits.RecommendedActions)
            ?? FieldLimits.Check("application", request.Application, FieldLimits.Application)
            ?? CheckGroups(request.RbacGroupNames)) is { } tooLong)
        {
            return tooLong;
        }

        if (!Actions.Contains(request.Action, StringComparer.Ordinal))
        {
            return DefenderError.InvalidInput(request.Action);
        }

        if (request.Severity is not null && !Severities.Contains(request.Severity, StringComparer.Ordinal))
        {
            return DefenderError.InvalidInput(request.Severity);
        }

        // By the kind the body names: an unknown kind is InvalidInput, a bad value the kind's own code (IndicatorKinds).
        return IndicatorKinds.TryValidate(request.IndicatorType, request.IndicatorValue, out var error) ? null : error;
    }

    private static DefenderError? CheckGroups(List<string?>? groups)
    {
        if (groups is null)
        {
            return null;
        }

        if (groups.Count > FieldLimits.RbacGroupNames)
        {
            return FieldLimits.TooMany("rbacGroupNames", FieldLimits.RbacGroupNames);
        }

        foreach (var group in groups)
        {
            if (string.IsNullOrWhiteSpace(group))
            {
                return DefenderError.InvalidInput("rbacGroupNames: an empty group name");
            }

            if (FieldLimits.Check("rbacGroupNames", group, FieldLimits.RbacGroupName) is { } tooLong)
            {
                return tooLong;
            }
        }

        return null;
    }
}
